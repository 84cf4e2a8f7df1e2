//! terraform-provider-portmap: the provider binary. Terraform starts it; run
//! by hand it explains itself and exits.

use std::process::ExitCode;

/// mimalloc: faster than the system allocator for the engine's many small
/// allocations (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    if std::env::args()
        .skip(1)
        .any(|a| a == "--version" || a == "-v")
    {
        // The one place besides the handshake that writes to stdout: a
        // human asked for the version.
        #[allow(clippy::print_stdout)]
        {
            println!("terraform-provider-portmap {}", env!("CARGO_PKG_VERSION"));
        }
        return ExitCode::SUCCESS;
    }
    tfplugin::server::serve(terraform_provider_portmap::PortmapProvider::new())
}
