//! Runs a server binary of this repository as a child process with a clean
//! environment (none of the developer's LAYERS_* settings leak in) and reads
//! its banner. Shared by path with the demo's tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn command(bin: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(bin);
    command.args(args).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command.envs(env.iter().copied());
    command
}

/// Runs `bin` to completion (it must exit within 10 s).
pub fn run(bin: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut child = command(bin, args, env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("{bin} {args:?} did not exit: it is serving instead");
}

/// A server running until dropped, with the stdout lines up to its ready line.
pub struct Running {
    child: Child,
    pub banner: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `bin` and waits (10 s at most) for a stdout line starting with `ready`.
pub fn start(bin: &str, env: &[(&str, &str)], ready: &str) -> Running {
    spawn_and_wait(&mut command(bin, &[], env), bin, ready)
}

fn spawn_and_wait(command: &mut Command, bin: &str, ready: &str) -> Running {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut running = Running {
        child,
        banner: Vec::new(),
    };
    loop {
        match receive.recv_timeout(Duration::from_secs(10)) {
            Ok(line) => {
                let done = line.starts_with(ready);
                running.banner.push(line);
                if done {
                    return running;
                }
            }
            Err(_) => panic!("{bin} not ready; banner so far: {:?}", running.banner),
        }
    }
}

/// Like [`start`], with the server's open-file limit set to `fds` first (a
/// shell's `ulimit -n`), to reproduce descriptor exhaustion in a small space.
pub fn start_with_fd_limit(bin: &str, fds: u32, env: &[(&str, &str)], ready: &str) -> Running {
    let script = format!("ulimit -n {fds} && exec \"$0\"");
    let mut shell = command("sh", &["-c", &script, bin], env);
    spawn_and_wait(&mut shell, bin, ready)
}
