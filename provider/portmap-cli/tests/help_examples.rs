//! Every example command in `portmap --help`, in each subcommand's help,
//! and in README.md (`cargo run -q -p portmap-cli -- ...`) runs as written
//! from the repository root: the files it names exist and the command
//! succeeds. What follows a shell operator (`>`, `>>`, `|`, `&&`) is left
//! to the shell; `-o FILE` writes into a temporary directory.

mod common;

use common::{ok, portmap, root};

/// The subcommands `portmap --help` lists.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The arguments of an example line after `portmap`, up to the first shell
/// operator; `None` when the line is not a portmap command.
fn example_args(line: &str) -> Option<Vec<String>> {
    let (_, rest) = line.split_once("portmap ")?;
    let words: Vec<String> = rest
        .split_whitespace()
        .take_while(|w| !matches!(*w, ">" | ">>" | "|" | "&&"))
        .map(str::to_string)
        .collect();
    Some(words)
}

fn check(origin: &str, args: &[String], out_dir: &std::path::Path) {
    let mut args = args.to_vec();
    if let Some(i) = args.iter().position(|a| a == "-o" || a == "--output") {
        let name = args[i + 1].clone();
        args[i + 1] = out_dir.join(name).to_string_lossy().into_owned();
    }
    for a in &args {
        if a.starts_with("examples/") {
            assert!(root().join(a).exists(), "{origin}: {a} does not exist");
        }
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = portmap(&refs);
    assert_eq!(
        run.code, 0,
        "{origin}: portmap {args:?} failed:\n{}",
        run.stderr
    );
}

#[test]
fn every_example_in_the_help_texts_runs() {
    let dir = tempfile::tempdir().unwrap();
    let top = ok(&["--help"]);
    let commands = subcommands(&top);
    assert!(commands.len() >= 10, "{commands:?}");
    let mut texts = vec![("portmap --help".to_string(), top)];
    for c in &commands {
        texts.push((format!("portmap {c} --help"), ok(&[c, "--help"])));
    }
    let mut ran = 0;
    for (origin, text) in &texts {
        // clap wraps lines longer than its width (100): a line after such
        // a line continues it. Other lines (`terraform show -json > ...`)
        // are not portmap commands.
        let mut examples: Vec<String> = Vec::new();
        let mut wrapped = false;
        for l in text
            .lines()
            .skip_while(|l| !l.starts_with("Example"))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
        {
            match examples.last_mut() {
                Some(last) if wrapped => {
                    last.push(' ');
                    last.push_str(l.trim());
                }
                _ => examples.push(l.to_string()),
            }
            wrapped = l.chars().count() >= 90;
        }
        for line in &examples {
            let Some(args) = example_args(line) else {
                continue;
            };
            check(origin, &args, dir.path());
            ran += 1;
        }
    }
    assert!(ran >= 30, "only {ran} examples found");
}

#[test]
fn every_portmap_command_in_the_readme_runs() {
    let dir = tempfile::tempdir().unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut ran = 0;
    for line in readme.lines() {
        let Some((_, rest)) = line.split_once("cargo run -q -p portmap-cli -- ") else {
            continue;
        };
        let args = example_args(&format!("portmap {}", rest.split(" #").next().unwrap())).unwrap();
        check("README.md", &args, dir.path());
        ran += 1;
    }
    assert!(ran >= 8, "only {ran} commands found");
}
