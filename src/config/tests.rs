use std::collections::HashMap;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn precedence_is_file_then_env_then_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "[api]\nlocation_id = \"from-file\"\nbase_url = \"http://file.test\"\n",
    );
    let none = Overrides::default();

    let s = resolve_with_env(Some(&path), &none, &env(&[])).unwrap();
    assert_eq!(s.config.api.location_id.as_deref(), Some("from-file"));
    assert_eq!(s.origins["api.location_id"], Origin::File);

    let e = env(&[("GHL_LOCATION_ID", "from-env")]);
    let s = resolve_with_env(Some(&path), &none, &e).unwrap();
    assert_eq!(s.config.api.location_id.as_deref(), Some("from-env"));
    assert_eq!(s.config.api.base_url, "http://file.test");

    let flags = Overrides {
        location_id: Some("from-flag".into()),
        ..Overrides::default()
    };
    let s = resolve_with_env(Some(&path), &flags, &e).unwrap();
    assert_eq!(s.config.api.location_id.as_deref(), Some("from-flag"));
    assert_eq!(s.origins["api.location_id"], Origin::Flag);
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "[api]\nbase_url = \"http://x.test\"\nlocaton_id = \"typo\"\n",
    );
    let err = load_file(&path).unwrap_err().to_string();
    assert!(err.contains("config.toml:3:"), "{err}");
    assert!(err.contains("locaton_id"), "{err}");
}

#[test]
fn wrong_type_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "[sync]\ninterval_secs = \"often\"\n");
    let err = load_file(&path).unwrap_err().to_string();
    assert!(err.contains("config.toml:2:"), "{err}");
    assert!(err.contains("`sync.interval_secs`"), "{err}");
    assert!(err.contains("integer") || err.contains("u64"), "{err}");
}

#[test]
fn a_ranged_number_of_the_wrong_kind_says_the_range_it_takes() {
    let dir = tempfile::tempdir().unwrap();
    for (text, key, takes) in [
        (
            "[api]\ntimeout_secs = -1\n",
            "api.timeout_secs",
            "from 1 to 600 seconds",
        ),
        (
            "[sync]\ninterval_secs = 1e3\n",
            "sync.interval_secs",
            "from 10 to 86400 seconds",
        ),
        (
            "[webhook]\nmax_body_bytes = \"4M\"\n",
            "webhook.max_body_bytes",
            "from 4096 to 4194304 bytes",
        ),
        (
            "[api]\nmax_retries = 99999999999999999999\n",
            "api.max_retries",
            "from 0 to 10 retries",
        ),
    ] {
        let path = write(dir.path(), text);
        let err = load_file(&path).unwrap_err().to_string();
        assert!(err.contains("config.toml:2:"), "{err}");
        assert!(err.contains(&format!("`{key}`")), "{err}");
        assert!(
            err.contains(&format!("it takes a whole number {takes}")),
            "{err}"
        );
    }
    // A key without a range keeps serde's words alone.
    let path = write(dir.path(), "[api]\nbase_url = 5\n");
    let err = load_file(&path).unwrap_err().to_string();
    assert!(!err.contains("it takes"), "{err}");
}

#[test]
fn invalid_values_name_their_line_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "[api]\nbase_url = \"x\"\n\n[ui]\ntheme = \"neon\"\n",
    );
    let err = load_file(&path).unwrap_err().to_string();
    assert!(err.contains("config.toml:2:1: `api.base_url`"), "{err}");
    let path = write(
        dir.path(),
        "[log]\nlevel = \"info\"\n[ui]\ntheme = \"neon\"\n",
    );
    let err = load_file(&path).unwrap_err().to_string();
    assert!(err.contains("config.toml:4:1: `ui.theme`"), "{err}");
}

#[test]
fn origins_say_file_only_for_keys_the_file_sets() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "[api]\nlocation_id = \"L\"\n");
    let s = resolve_with_env(Some(&path), &Overrides::default(), &env(&[])).unwrap();
    assert_eq!(s.origins["api.location_id"], Origin::File);
    assert_eq!(s.origins["ui.read_only"], Origin::Default);
    assert_eq!(s.origins["api.base_url"], Origin::Default);
}

#[test]
fn a_missing_token_file_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "[auth]\ntoken_file = \"/nonexistent/tok\"\n");
    let err = resolve_with_env(Some(&path), &Overrides::default(), &env(&[])).unwrap_err();
    let err = err.to_string();
    assert!(err.contains("auth.token_file"), "{err}");
    assert!(err.contains("/nonexistent/tok"), "{err}");
}

#[test]
fn missing_required_value_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "[auth]\nkind = \"oauth\"\n");
    let err = load_file(&path).unwrap_err().to_string();
    assert!(err.contains("auth.client_id"), "{err}");
    assert!(err.contains("config.toml"), "{err}");

    let path = write(dir.path(), "[rankr]\ntarget = \"http\"\n");
    assert!(
        load_file(&path)
            .unwrap_err()
            .to_string()
            .contains("rankr.http_url")
    );
    let path = write(dir.path(), "[api]\nrate_limit = \"lots\"\n");
    assert!(
        load_file(&path)
            .unwrap_err()
            .to_string()
            .contains("api.rate_limit")
    );
    let path = write(dir.path(), "[ui]\ntheme = \"neon\"\n");
    assert!(
        load_file(&path)
            .unwrap_err()
            .to_string()
            .contains("ui.theme")
    );
    let path = write(dir.path(), "[webhook]\nlisten = \"everywhere\"\n");
    assert!(
        load_file(&path)
            .unwrap_err()
            .to_string()
            .contains("webhook.listen")
    );
    let path = write(dir.path(), "[[locations]]\nname = \"no id\"\n");
    assert!(
        load_file(&path)
            .unwrap_err()
            .to_string()
            .contains("locations[0].id")
    );
}

/// A configuration with every optional key set, so serialising it names every key there is.
fn every_key() -> Config {
    let mut c = Config::default();
    c.api.location_id = Some("l".into());
    c.auth.token_file = Some("t".into());
    c.auth.oauth_store = Some("o".into());
    c.auth.client_id = Some("c".into());
    c.auth.client_secret_file = Some("s".into());
    c.auth.redirect_port = Some(1);
    c.locations.push(LocationConfig {
        id: "l".into(),
        name: Some("n".into()),
        read_only: false,
    });
    c.rankr = RankrConfig {
        target: Some("sqlite".into()),
        store_path: Some("p".into()),
        http_url: Some("u".into()),
        api_key_file: Some("k".into()),
    };
    c.webhook.rsa_public_key_file = Some("r".into());
    c.webhook.ed25519_public_key = Some("e".into());
    c.ui.theme = Some("auto".into());
    c.sync.default_country = Some("US".into());
    c.ui.keys.insert("a".into(), vec!["x".into()]);
    c
}

/// `key = value`, `"quoted.key" = value` or `[[table]]`: a commented-out example, not prose.
fn is_example_line(line: &str) -> bool {
    let key = line.split(" = ").next().unwrap_or_default();
    line.starts_with("[[")
        || (line.contains(" = ")
            && (key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                || (key.starts_with('"') && key.ends_with('"'))))
}

#[test]
fn the_example_file_is_valid_and_documents_every_key() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = parse(&text, &path).unwrap();
    assert!(parsed.api.base_url.starts_with("https://"));

    // Uncommenting every example line still parses: the commented keys are real keys.
    let uncommented: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if is_example_line(rest) => rest.to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    parse(&uncommented, &path).unwrap();

    let all: toml::Table = toml::from_str(&toml::to_string(&every_key()).unwrap()).unwrap();
    for (table, value) in &all {
        let keys = match value {
            toml::Value::Table(t) => t.keys().cloned().collect::<Vec<_>>(),
            toml::Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_table())
                .flat_map(|t| t.keys().cloned())
                .collect(),
            _ => vec![],
        };
        for key in keys {
            let documented = text.contains(&format!("\n{key} ="))
                || text.contains(&format!("# {key} ="))
                || text.contains(&format!("[{table}.{key}]"));
            assert!(documented, "[{table}] {key} is not in config.example.toml");
        }
    }
}

#[cfg(unix)]
#[test]
fn token_files_must_be_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "pit-secret-value\n").unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = read_secret_file(&token).unwrap_err().to_string();
    assert!(err.contains("chmod 600"), "{err}");
    assert!(!err.contains("pit-secret-value"));

    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(
        read_secret_file(&token).unwrap().expose(),
        "pit-secret-value"
    );
}

#[cfg(unix)]
#[test]
fn private_writes_are_0600_and_replace_atomically() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/tokens.json");
    write_private(&path, b"{\"a\":1}").unwrap();
    write_private(&path, b"{\"a\":2}").unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\":2}");
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temp file left behind");
}

#[test]
fn show_masks_the_token() {
    let e = env(&[("GHL_TOKEN", "pit-very-secret-123")]);
    let s = resolve_with_env(None, &Overrides::default(), &e).unwrap();
    let shown = s.show();
    assert!(!shown.contains("pit-very-secret-123"));
    assert!(shown.contains("**** from GHL_TOKEN"));
    assert!(!format!("{s:?}").contains("pit-very-secret-123"));
}

#[test]
fn rates_parse() {
    assert_eq!(parse_rate("off").unwrap(), None);
    assert_eq!(
        parse_rate("100/10s").unwrap(),
        Some((100, std::time::Duration::from_secs(10)))
    );
    assert_eq!(
        parse_rate("50/500ms").unwrap(),
        Some((50, std::time::Duration::from_millis(500)))
    );
    assert!(parse_rate("0/1s").is_err());
    assert!(parse_rate("x").is_err());
    assert_eq!(
        parse_rate("1/60m").unwrap(),
        Some((1, std::time::Duration::from_secs(3600)))
    );
    assert!(parse_rate("1/61m").is_err());
    assert!(parse_rate("1/3601s").is_err());
}

#[test]
fn numeric_settings_outside_their_range_are_refused_with_the_range() {
    let dir = tempfile::tempdir().unwrap();
    for (table, key, wrong, message) in [
        (
            "api",
            "timeout_secs",
            "0",
            "must be from 1 to 600 seconds, not 0",
        ),
        (
            "api",
            "timeout_secs",
            "601",
            "must be from 1 to 600 seconds, not 601",
        ),
        (
            "api",
            "max_retries",
            "1000000",
            "must be from 0 to 10 retries, not 1000000",
        ),
        (
            "sync",
            "interval_secs",
            "0",
            "must be from 10 to 86400 seconds, not 0",
        ),
        (
            "sync",
            "interval_secs",
            "86401",
            "must be from 10 to 86400 seconds, not 86401",
        ),
        (
            "webhook",
            "max_body_bytes",
            "0",
            "must be from 4096 to 4194304 bytes, not 0",
        ),
        (
            "webhook",
            "max_body_bytes",
            "4194305",
            "must be from 4096 to 4194304 bytes, not 4194305",
        ),
        (
            "sync",
            "default_country",
            "\"XX\"",
            "unknown default country \"XX\"; use an ISO 3166 code such as US or DE",
        ),
        (
            "api",
            "rate_limit",
            "\"0/10s\"",
            "must look like 100/10s (COUNT/WINDOW, a window of at most 60m), or be off: count \
             and window must be positive",
        ),
        (
            "api",
            "rate_limit",
            "\"1/90m\"",
            "must look like 100/10s (COUNT/WINDOW, a window of at most 60m), or be off: the \
             window is longer than 60m",
        ),
    ] {
        let path = write(dir.path(), &format!("[{table}]\n{key} = {wrong}\n"));
        let err = load_file(&path).unwrap_err().to_string();
        let expected = format!("config.toml:2:1: `{table}.{key}`: {message}");
        assert!(err.contains(&expected), "{expected} in {err}");
        // The settings in force are refused with the same message.
        let err = resolve_with_env(Some(&path), &Overrides::default(), &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains(&expected), "{expected} in {err}");
    }
}

#[test]
fn numeric_settings_at_the_ends_of_their_range_are_accepted() {
    for (table, key, value) in [
        ("api", "timeout_secs", "1"),
        ("api", "timeout_secs", "600"),
        ("api", "max_retries", "0"),
        ("api", "max_retries", "10"),
        ("sync", "interval_secs", "10"),
        ("sync", "interval_secs", "86400"),
        ("webhook", "max_body_bytes", "4096"),
        ("webhook", "max_body_bytes", "4194304"),
        ("sync", "default_country", "\"us\""),
        ("api", "rate_limit", "\"1/60m\""),
    ] {
        let text = format!("[{table}]\n{key} = {value}\n");
        assert!(parse(&text, Path::new("c.toml")).is_ok(), "{text}");
    }
}

#[test]
fn key_remaps_are_read_even_when_other_keys_do_not_fit_the_schema() {
    let text = "[api]\ntimeout_secs = \"soon\"\nnope = 1\n\n[ui.keys]\n\"quit\" = [\"ctrl-q\"]\n\
                \"help\" = \"h\"\n\"yank\" = [\"y\", 3]\n";
    assert!(parse(text, Path::new("c.toml")).is_err());
    let remaps = key_remaps(text);
    assert_eq!(
        remaps,
        BTreeMap::from([
            ("help".to_string(), vec!["h".to_string()]),
            ("quit".to_string(), vec!["ctrl-q".to_string()]),
        ])
    );
    assert!(key_remaps("[ui.keys\n").is_empty());
    assert!(key_remaps("").is_empty());
}

#[test]
fn a_single_key_string_is_a_list_of_one() {
    let text = "[ui.keys]\nquit = \"ctrl-q\"\n\"task.new\" = [\"n\", \"a\"]\n";
    let config = parse(text, Path::new("c.toml")).unwrap();
    assert_eq!(
        config.ui.keys,
        BTreeMap::from([
            ("quit".to_string(), vec!["ctrl-q".to_string()]),
            (
                "task.new".to_string(),
                vec!["n".to_string(), "a".to_string()]
            ),
        ])
    );
    let error = parse("[ui.keys]\nquit = 3\n", Path::new("c.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("expected a key string or a list of key strings"),
        "{error}"
    );
}

#[test]
fn the_version_must_be_a_date_wherever_it_is_set() {
    for good in ["2021-07-28", "2023-02-21"] {
        assert_eq!(crate::ghl::client::check_version(good), Ok(()));
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.toml");
    std::fs::write(&plain, "[api]\nlocation_id = \"L\"\n").unwrap();
    for bad in [
        "2021-07-28\nX-Evil: 1",
        "2021-07-28\r",
        "2021-07-28 ",
        "2021-7-28",
        "2021-02-30",
        "v2",
        "",
    ] {
        assert!(crate::ghl::client::check_version(bad).is_err(), "{bad:?}");
        let err = resolve_with_env(
            Some(&plain),
            &Overrides::default(),
            &env(&[("GHL_VERSION", bad)]),
        );
        // An empty variable is no setting at all.
        if bad.is_empty() {
            assert!(err.is_ok());
            continue;
        }
        let err = err.unwrap_err().to_string();
        assert!(
            err.starts_with("environment variable GHL_VERSION: `api.version`: must be a date"),
            "{err}"
        );
        assert!(!err.contains('\n') && !err.contains('\r'), "{err:?}");

        let escaped = bad.escape_debug();
        let path = write(dir.path(), &format!("[api]\nversion = \"{escaped}\"\n"));
        let err = load_file(&path).unwrap_err().to_string();
        assert!(err.contains(":2:1: `api.version`: must be a date"), "{err}");
        assert!(err.contains("GHL_VERSION"), "{err}");

        // A client is never built to send a header it would have to drop.
        let mut config =
            crate::ghl::ClientConfig::new("http://127.0.0.1:9", crate::ghl::Secret::new("t"), "L");
        config.version = bad.to_string();
        assert!(crate::ghl::GhlClient::new(config).is_err(), "{bad:?}");
    }
}

#[test]
fn show_says_an_optional_key_without_a_value_is_not_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "[api]\ntimeout_secs = 20\n");
    let e = env(&[("GHL_TOKEN", "t")]);
    let shown = resolve_with_env(Some(&path), &Overrides::default(), &e)
        .unwrap()
        .show();
    assert!(shown.contains("# api.location_id not set\n"), "{shown}");
    assert!(shown.contains("# auth.token_file not set\n"), "{shown}");
    assert!(!shown.contains("location_id from"), "{shown}");
    assert!(shown.contains("# api.version from default\n"), "{shown}");

    let e = env(&[("GHL_TOKEN", "t"), ("GHL_LOCATION_ID", "L1")]);
    let shown = resolve_with_env(Some(&path), &Overrides::default(), &e)
        .unwrap()
        .show();
    assert!(shown.contains("# api.location_id from env\n"), "{shown}");
}

#[test]
fn a_value_where_a_table_belongs_is_called_a_table() {
    let err = parse("api = 5\n", std::path::Path::new("config.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected a table"), "{err}");
    assert!(!err.contains("ApiConfig"), "{err}");
}
