//! The `xml` and `pretty` formats: the body element as received (compact),
//! or indented two spaces a level. Enumerations are wrapped in winrm.cmd's
//! `wsman:Results` element.

use crate::protocol::model::Element;
use crate::protocol::xml::{write_element, write_element_nested};

const RESULTS_OPEN: &str =
    r#"<wsman:Results xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman/results">"#;
const RESULTS_CLOSE: &str = "</wsman:Results>";

/// Writes one element, then a newline.
pub fn write(out: &mut String, element: &Element, pretty: bool) {
    write_element(out, element, pretty.then_some(2));
    out.push('\n');
}

/// The opening line of an enumeration's results.
pub fn open_results(out: &mut String) {
    out.push_str(RESULTS_OPEN);
    out.push('\n');
}

/// One item inside the results wrapper.
pub fn write_item(out: &mut String, element: &Element, pretty: bool) {
    if pretty {
        write_element_nested(out, element, 2, 1);
    } else {
        write_element(out, element, None);
    }
    out.push('\n');
}

/// The closing line of an enumeration's results.
pub fn close_results(out: &mut String) {
    out.push_str(RESULTS_CLOSE);
    out.push('\n');
}
