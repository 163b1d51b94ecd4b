//! The command line: every setting comes from the environment, so the only
//! argument is `--help`. Anything else is refused rather than ignored (an
//! ignored `--port 9000` would silently serve on the default port).

/// What the arguments ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// No arguments: serve.
    Serve,
    /// `--help` / `-h`: print the usage and exit 0.
    Help,
}

/// Reads the arguments after the program name. The error names the first
/// argument that is not understood.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut command = Command::Serve;
    for arg in args {
        match arg.as_str() {
            "--help" | "-h" => command = Command::Help,
            other => {
                return Err(format!(
                    "unexpected argument {other:?}: settings come from environment variables (see --help)"
                ))
            }
        }
    }
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Command, String> {
        parse(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn help_or_nothing() {
        assert_eq!(args(&[]), Ok(Command::Serve));
        assert_eq!(args(&["--help"]), Ok(Command::Help));
        assert_eq!(args(&["-h"]), Ok(Command::Help));
        let err = args(&["--port", "9000"]).unwrap_err();
        assert!(err.contains("\"--port\""), "{err}");
    }
}
