//! Remote shells (WinRS): open a cmd shell, run commands in it, feed their
//! stdin, read their output as it comes, signal them, and close the shell.
//!
//! A [`Shell`] borrows its session and deletes the remote shell when it is
//! dropped, however the caller leaves (an error, a panic, an early return),
//! so a shell is never left open on the server, where Windows counts it
//! against MaxShellsPerUser. A [`Command`] borrows its shell and terminates
//! the remote process when dropped before it ended. Output arrives in
//! [`Received`] batches; a Receive that found nothing new before its wait
//! ran out is an empty batch, not an error, so a command may run for hours.

use std::time::Duration;

use crate::protocol::envelope::OptionValue;
use crate::protocol::ns;
use crate::protocol::shell::{self, CommandOptions, Received, ShellOptions, Signal, Stream};

use super::{Error, RequestOptions, ResourceUri, Session};

/// An open remote shell. Dropping it deletes it on the server.
pub struct Shell<'s> {
    session: &'s mut Session,
    /// The shell resource, with its ShellId selector.
    resource: ResourceUri,
    /// How long one Receive waits for output before answering empty.
    receive_wait: Duration,
    open: bool,
}

/// A command running in a [`Shell`]. Dropping it before it ended
/// terminates it.
pub struct Command<'a, 's> {
    shell: &'a mut Shell<'s>,
    id: String,
    done: bool,
    exit_code: Option<i64>,
    /// The last Receive's output, likewise.
    received: Received,
}

impl Session {
    /// Opens a cmd.exe shell (WS-Transfer Create of the shell resource).
    ///
    /// # Errors
    ///
    /// As any request; the server refuses with a fault when the user has
    /// too many shells open or remote shells are not allowed.
    pub fn open_shell(&mut self, options: &ShellOptions) -> Result<Shell<'_>, Error> {
        let resource = ResourceUri {
            uri: shell::RESOURCE_CMD.to_string(),
            selectors: Vec::new(),
        };
        let request = RequestOptions {
            options: shell::create_options(options),
            fragment: None,
        };
        let body = shell::create_body(options);
        let reply = self.call(ns::ACTION_CREATE, &resource, &request, &body)?;
        let created = self.require_body(reply, "CreateResponse")?;
        let id = shell::shell_id(&created).map_err(|e| self.protocol_error(e))?;
        let receive_wait = self.options.operation_timeout;
        Ok(Shell {
            session: self,
            resource: ResourceUri {
                uri: shell::RESOURCE_CMD.to_string(),
                selectors: vec![("ShellId".to_string(), id)],
            },
            receive_wait,
            open: true,
        })
    }
}

impl<'s> Shell<'s> {
    /// The server's id of this shell.
    pub fn id(&self) -> &str {
        self.resource
            .selectors
            .first()
            .map_or("", |(_, id)| id.as_str())
    }

    /// How long one Receive may wait for output (the OperationTimeout it
    /// sends). Shorter waits let a caller act sooner between Receives (a
    /// Ctrl-C, say) at the cost of more requests while a command is idle.
    pub fn set_receive_wait(&mut self, wait: Duration) {
        self.receive_wait = wait.max(Duration::from_millis(100));
    }

    /// The most stdin one Send should carry: what fits a request the
    /// server accepts. That limit is the server's own (Windows:
    /// MaxEnvelopeSizekb, 500 KB by default), not the MaxEnvelopeSize we
    /// ask of replies, so the smaller of the two counts; UTF-16 requests
    /// take twice the bytes.
    pub fn send_size(&self) -> usize {
        const SERVER_DEFAULT: u32 = 512_000;
        let limit = self.session.options.max_envelope_size.min(SERVER_DEFAULT);
        let size = shell::send_chunk_size(limit);
        match self.session.options.encoding {
            super::Encoding::Utf8 => size,
            super::Encoding::Utf16 => size / 2,
        }
    }

    /// Starts `program` with `arguments` (each sent as given; cmd.exe joins
    /// them with spaces).
    ///
    /// # Errors
    ///
    /// As any request.
    pub fn run(
        &mut self,
        program: &str,
        arguments: &[String],
        options: &CommandOptions,
    ) -> Result<Command<'_, 's>, Error> {
        let body = shell::command_body(program, arguments);
        let reply = self.call(
            shell::ACTION_COMMAND,
            shell::command_options(options),
            &body,
        )?;
        let response = self.session.require_body(reply, "CommandResponse")?;
        let id = shell::command_id(&response).map_err(|e| self.session.protocol_error(e))?;
        Ok(Command {
            shell: self,
            id,
            done: false,
            exit_code: None,
            received: Received::default(),
        })
    }

    /// Deletes the shell on the server now, reporting a failure (dropping
    /// the shell does the same silently).
    ///
    /// # Errors
    ///
    /// As any request.
    pub fn close(mut self) -> Result<(), Error> {
        self.open = false;
        let resource = self.resource.clone();
        self.session.delete(&resource, &RequestOptions::default())
    }

    fn call(
        &mut self,
        action: &str,
        options: Vec<OptionValue>,
        body: &str,
    ) -> Result<Option<crate::protocol::Element>, Error> {
        let request = RequestOptions {
            options,
            fragment: None,
        };
        let resource = self.resource.clone();
        self.session.call(action, &resource, &request, body)
    }
}

impl Drop for Shell<'_> {
    fn drop(&mut self) {
        if self.open {
            // Best effort: the caller is already leaving, perhaps because
            // of an error that also broke the connection.
            let resource = self.resource.clone();
            let _ = self.session.delete(&resource, &RequestOptions::default());
        }
    }
}

impl Command<'_, '_> {
    /// The server's id of this command.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// See [`Shell::set_receive_wait`]: for this command's Receives.
    pub fn set_receive_wait(&mut self, wait: Duration) {
        self.shell.set_receive_wait(wait);
    }

    /// See [`Shell::send_size`].
    pub fn send_size(&self) -> usize {
        self.shell.send_size()
    }

    /// Whether the command has ended (a Receive said so).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The exit code, once the command has ended.
    pub fn exit_code(&self) -> Option<i64> {
        self.exit_code
    }

    /// Sends `data` to the command's stdin; `end` closes it (EOF). Large
    /// data should be sent in pieces of
    /// [`shell::send_chunk_size`] bytes.
    ///
    /// # Errors
    ///
    /// As any request.
    pub fn send(&mut self, data: &[u8], end: bool) -> Result<(), Error> {
        let id = &self.id;
        let resource = self.shell.resource.clone();
        self.shell.session.call_writing(
            shell::ACTION_SEND,
            &resource,
            &RequestOptions::default(),
            shell::send_body_size(data.len()),
            &mut |out| shell::send_body_into(out, id, data, end),
        )?;
        Ok(())
    }

    /// Waits for output: returns what came (possibly nothing, when the
    /// wait ran out first) and whether the command ended.
    ///
    /// # Errors
    ///
    /// As any request; a fault other than "nothing yet".
    pub fn receive(&mut self) -> Result<&Received, Error> {
        let body = shell::receive_body(&self.id);
        let wait = self.shell.receive_wait;
        let session = &mut *self.shell.session;
        let saved = std::mem::replace(&mut session.options.operation_timeout, wait);
        let resource = self.shell.resource.clone();
        let request = RequestOptions {
            options: shell::receive_options(),
            fragment: None,
        };
        let reply = session.call_fast(shell::ACTION_RECEIVE, &resource, &request, &body);
        session.options.operation_timeout = saved;
        let reply = match reply {
            Ok(reply) => reply,
            Err(e) if is_receive_timeout(&e) => {
                self.received.clear();
                return Ok(&self.received);
            }
            Err(e) => return Err(e),
        };
        let response = session.require_body(reply, "ReceiveResponse")?;
        shell::read_receive_into(&response, &self.id, &mut self.received)
            .map_err(|e| session.protocol_error(e))?;
        if self.received.done {
            self.done = true;
            self.exit_code = self.received.exit_code;
        }
        Ok(&self.received)
    }

    /// Receives until the command ends, handing each piece of output to
    /// `on_output` as it comes; returns the exit code (`None` if the server
    /// sent none). Close stdin first if the command reads it.
    ///
    /// # Errors
    ///
    /// As [`Command::receive`].
    pub fn wait(&mut self, mut on_output: impl FnMut(Stream, &[u8])) -> Result<Option<i64>, Error> {
        while !self.done {
            for (stream, bytes) in self.receive()?.chunks() {
                on_output(stream, bytes);
            }
        }
        Ok(self.exit_code)
    }

    /// Signals the command: Ctrl-C asks it to stop, terminate ends it.
    ///
    /// # Errors
    ///
    /// As any request.
    pub fn signal(&mut self, signal: Signal) -> Result<(), Error> {
        let body = shell::signal_body(&self.id, signal);
        self.shell.call(shell::ACTION_SIGNAL, Vec::new(), &body)?;
        Ok(())
    }
}

impl Drop for Command<'_, '_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.signal(Signal::Terminate);
        }
    }
}

/// Whether a Receive failed only because no output came within its wait:
/// Windows' TimedOut fault, which means "ask again".
fn is_receive_timeout(e: &Error) -> bool {
    e.fault().is_some_and(|f| {
        f.error_code() == Some(shell::RECEIVE_TIMED_OUT) || f.subcode.as_deref() == Some("TimedOut")
    })
}
