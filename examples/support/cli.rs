//! The command-line frame the examples share: parse the arguments, run, and map the outcome
//! to an exit code (2 with the usage for bad arguments, 1 for a failed run).

use std::fmt::Display;
use std::process::ExitCode;

/// Parses `std::env::args()` (without the program name) with `parse` and runs `run` on the
/// result. A parse error prints `error: …` and `usage`, exit code 2; a run error prints
/// `error: …`, exit code 1.
pub fn run_cli<A, E: Display>(
    usage: &str,
    parse: impl FnOnce(&[String]) -> Result<A, String>,
    run: impl FnOnce(A) -> Result<(), E>,
) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match parse(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n{usage}");
            return ExitCode::from(2);
        }
    };
    match run(parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
