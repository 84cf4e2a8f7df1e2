//! Writes the msgpack seeds of the fuzz corpora from the example topologies:
//! `cargo run --manifest-path fuzz/Cargo.toml --no-default-features --example make_seeds`
//! (from the repository root). The YAML/JSON seeds are copied files; see
//! fuzz/README.md.

use std::path::Path;

use tfplugin::value::{Number, Type, Value, encode_msgpack};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("{} ({} bytes)", path.display(), bytes.len());
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let corpus = root.join("fuzz/corpus");
    let flows_ty = portmap_fuzz::flows_input_type();
    let types = portmap_fuzz::msgpack_types();
    let flows_index = types
        .iter()
        .position(|t| *t == flows_ty)
        .unwrap_or_else(|| panic!("the portmap_flows input type is missing"))
        as u8;

    let mut examples: Vec<_> = std::fs::read_dir(root.join("examples"))
        .unwrap_or_else(|e| panic!("examples: {e}"))
        .filter_map(Result::ok)
        .map(|e| e.path().join("topology.yaml"))
        .filter(|p| p.is_file())
        .collect();
    examples.sort();
    for path in examples {
        let name = path
            .parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let file = portmap_core::topology_file::parse(&text, &name)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let bytes = encode_msgpack(
            &terraform_provider_portmap::fuzzing::encode(&file.topology),
            &flows_ty,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        write(
            &corpus.join("topology_check"),
            &format!("{name}.msgpack"),
            &bytes,
        );
        let mut tagged = vec![flows_index];
        tagged.extend_from_slice(&bytes);
        write(
            &corpus.join("msgpack_decode"),
            &format!("{name}.msgpack"),
            &tagged,
        );
    }

    // Unknown values (as during validation) and a small hand-made topology.
    let unknown_cidrs = Value::object([(
        "nodes",
        Value::map([
            (
                "app",
                Value::object([
                    ("components", Value::set(["tachyon-5/master-stack"])),
                    ("cidrs", Value::Unknown),
                    ("ref", Value::Unknown),
                ]),
            ),
            (
                "sql",
                Value::object([
                    ("components", Value::set(["tachyon-5/sql-server"])),
                    (
                        "cidrs",
                        Value::list([Value::Unknown, Value::from("10.0.2.10/32")]),
                    ),
                ]),
            ),
        ]),
    )]);
    let bytes = encode_msgpack(&unknown_cidrs, &flows_ty).unwrap_or_else(|e| panic!("{e}"));
    write(&corpus.join("topology_check"), "unknowns.msgpack", &bytes);

    // Every other schema type: null, unknown, and one value each.
    let samples: Vec<(Type, Value)> = vec![
        (Type::Dynamic, Value::list(["a", "b"])),
        (
            types[4].clone(),
            Value::object([
                ("b", Value::from(true)),
                (
                    "n",
                    Value::Number(Number::from_f64(1.5).unwrap_or_else(|| Number::from(1))),
                ),
                ("s", Value::from("x")),
                ("l", Value::list([1, 2, 3])),
                ("st", Value::set(["a"])),
                ("m", Value::map([("k", Value::from(7))])),
                (
                    "t",
                    Value::tuple([Value::from("a"), Value::from(1), Value::from(false)]),
                ),
                (
                    "o",
                    Value::object([("x", Value::from("y")), ("y", Value::Null)]),
                ),
            ]),
        ),
        (
            types[5].clone(),
            Value::list([Value::map([("a", Value::set([1, 2]))])]),
        ),
    ];
    for (i, ty) in types.iter().enumerate() {
        let i = i as u8;
        write(
            &corpus.join("msgpack_decode"),
            &format!("type{i}-null.msgpack"),
            &[i, 0xc0],
        );
        write(
            &corpus.join("msgpack_decode"),
            &format!("type{i}-unknown.msgpack"),
            &[i, 0xd4, 0, 0],
        );
        if let Some((_, v)) = samples.iter().find(|(t, _)| t == ty) {
            let mut bytes = vec![i];
            bytes.extend(encode_msgpack(v, ty).unwrap_or_else(|e| panic!("{e}")));
            write(
                &corpus.join("msgpack_decode"),
                &format!("type{i}-value.msgpack"),
                &bytes,
            );
        }
    }
}
