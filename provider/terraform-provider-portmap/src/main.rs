//! terraform-provider-portmap: the provider binary. Terraform starts it; run
//! by hand it explains itself and exits.

mod convert;
mod data_sources;
mod functions;
mod provider;
mod topology_input;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--version" || a == "-v") {
        // The one place besides the handshake that writes to stdout: a
        // human asked for the version.
        #[allow(clippy::print_stdout)]
        {
            println!("terraform-provider-portmap {}", env!("CARGO_PKG_VERSION"));
        }
        return ExitCode::SUCCESS;
    }
    tfplugin::server::serve(provider::PortmapProvider::new())
}
