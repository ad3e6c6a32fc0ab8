//! Names of the built front-end files. A release build (cargo-leptos `hash-files`) puts a
//! content hash in each name, listed in a hash file beside the server binary; the names then
//! change whenever the content does, so browsers may keep them for a year.

use leptos::config::LeptosOptions;

/// The hash of `kind` (`css`, `js`, `wasm`, …) in a cargo-leptos hash file's text.
pub fn hash_of<'a>(hash_file: &'a str, kind: &str) -> Option<&'a str> {
    hash_file.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k.trim() == kind).then(|| v.trim())
    })
}

/// Where cargo-leptos writes the hash file: beside the server binary (Leptos reads it there).
pub fn hash_file_path(options: &LeptosOptions) -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(options.hash_file.as_ref()))
}

/// The hash file's text; empty when the build did not hash its files.
fn hash_file_text(options: &LeptosOptions) -> String {
    if !options.hash_files {
        return String::new();
    }
    match hash_file_path(options).and_then(|p| std::fs::read_to_string(p).ok()) {
        Some(text) => text,
        None => {
            tracing::error!("file hashing is on but the hash file cannot be read");
            String::new()
        }
    }
}

/// `portico`, or `portico.<hash>` when the build hashed its files.
fn built_name(options: &LeptosOptions, hash_file: &str, kind: &str) -> String {
    match hash_of(hash_file, kind) {
        Some(hash) => format!("{}.{hash}", options.output_name),
        None => options.output_name.to_string(),
    }
}

/// `/pkg/portico.css`, or `/pkg/portico.<hash>.css` when the build hashed its files.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let name = built_name(options, &hash_file_text(options), "css");
    format!("/{}/{name}.css", options.site_pkg_dir)
}

/// The app's entry files: the JS glue and the main WASM module, by their built names.
pub fn app_hrefs(options: &LeptosOptions) -> (String, String) {
    let hashes = hash_file_text(options);
    let js = built_name(options, &hashes, "js");
    let mut wasm = built_name(options, &hashes, "wasm");
    // wasm-bindgen's own name for the module, kept by a build that cargo-leptos did not name.
    if !options.hash_files && option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        wasm.push_str("_bg");
    }
    let pkg = &options.site_pkg_dir;
    (format!("/{pkg}/{js}.js"), format!("/{pkg}/{wasm}.wasm"))
}

/// The route chunks of the split WASM build: which chunk files each lazy function needs
/// (cargo-leptos's `__wasm_split_manifest.json`), and the loader script's name.
#[derive(Debug, Default)]
pub struct SplitManifest {
    chunks: std::collections::HashMap<String, Vec<String>>,
    /// Each route's chunks in one file (scripts/bundle_chunks.mjs), by its view function.
    bundles: std::collections::HashMap<String, String>,
    loader: String,
    pkg: String,
}

impl SplitManifest {
    /// Read once per process from the built site; a build without splitting has none.
    pub fn get(options: &LeptosOptions) -> Option<&'static SplitManifest> {
        static MANIFEST: std::sync::OnceLock<Option<SplitManifest>> = std::sync::OnceLock::new();
        MANIFEST.get_or_init(|| Self::load(options)).as_ref()
    }

    fn load(options: &LeptosOptions) -> Option<SplitManifest> {
        let hashes = hash_file_text(options);
        let named = |stem: &str, kind: &str, ext: &str| match hash_of(&hashes, kind) {
            Some(h) => format!("{stem}.{h}.{ext}"),
            None => format!("{stem}.{ext}"),
        };
        let pkg = format!("{}/{}", options.site_root, options.site_pkg_dir);
        let manifest = named("__wasm_split_manifest", "manifest", "json");
        let text = std::fs::read_to_string(std::path::Path::new(&pkg).join(manifest)).ok()?;
        let chunks = match serde_json::from_str(&text) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "the WASM split manifest cannot be read");
                return None;
            }
        };
        // Written by the build after cargo-leptos; without it, chunks are fetched one by one.
        let bundles = std::fs::read_to_string(std::path::Path::new(&pkg).join(format!(
            "__route_bundles.{}.json",
            hash_of(&hashes, "manifest").unwrap_or("_")
        )))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
        let loader = match hash_of(&hashes, "split") {
            Some(h) => format!("__wasm_split.{h}.js"),
            None => "__wasm_split.______________________.js".to_string(),
        };
        Some(SplitManifest {
            chunks,
            bundles,
            loader,
            pkg: format!("/{}", options.site_pkg_dir),
        })
    }

    /// The manifest's name for the view function of the lazy route type named `type_name`
    /// (`#[lazy_route]` names it after the type).
    fn view_key(&self, type_name: &str) -> Option<&str> {
        let prefix = format!(
            "__{}_view_",
            snake_case(type_name.rsplit("::").next().unwrap_or(""))
        );
        self.chunks
            .keys()
            .find(|k| k.starts_with(&prefix))
            .map(String::as_str)
    }

    /// The chunk files of the lazy route type named `type_name`.
    pub fn route_chunks(&self, type_name: &str) -> &[String] {
        self.view_key(type_name)
            .and_then(|k| self.chunks.get(k))
            .map_or(&[], Vec::as_slice)
    }

    /// What a page of this route fetches for its first view: its bundle, or else each of its
    /// chunks.
    pub fn first_view_hrefs(&self, type_name: &str) -> Vec<String> {
        if let Some(bundle) = self.view_key(type_name).and_then(|k| self.bundles.get(k)) {
            return vec![format!("{}/{bundle}", self.pkg)];
        }
        self.route_chunks(type_name)
            .iter()
            .map(|chunk| format!("{}/{chunk}.wasm", self.pkg))
            .collect()
    }

    /// The address of the script that loads chunks.
    pub fn loader_href(&self) -> String {
        format!("{}/{}", self.pkg, self.loader)
    }
}

/// `BookConfirmRoute` → `book_confirm_route`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_found_by_kind() {
        let text = "js: abc\nwasm: def\ncss: Xy-z_\nmanifest: m1\n";
        assert_eq!(hash_of(text, "css"), Some("Xy-z_"));
        assert_eq!(hash_of(text, "wasm"), Some("def"));
        assert_eq!(hash_of(text, "split"), None);
    }

    #[test]
    fn without_hashing_the_plain_name_is_used() {
        let options = LeptosOptions::builder().output_name("portico").build();
        assert_eq!(stylesheet_href(&options), "/pkg/portico.css");
        let (js, wasm) = app_hrefs(&options);
        assert_eq!(js, "/pkg/portico.js");
        assert!(wasm == "/pkg/portico.wasm" || wasm == "/pkg/portico_bg.wasm");
    }

    #[test]
    fn route_types_name_their_chunks() {
        assert_eq!(snake_case("BookConfirmRoute"), "book_confirm_route");
        let manifest = SplitManifest {
            chunks: [
                (
                    "__book_route_view_12".to_string(),
                    vec!["chunk_1".to_string()],
                ),
                (
                    "__book_confirm_route_view_12".to_string(),
                    vec!["chunk_2".to_string(), "split_x".to_string()],
                ),
            ]
            .into(),
            bundles: [(
                "__book_confirm_route_view_12".to_string(),
                "book_confirm_route.h.bin".to_string(),
            )]
            .into(),
            loader: "__wasm_split.abc.js".into(),
            pkg: "/pkg".into(),
        };
        assert_eq!(
            manifest.route_chunks("app::routes::BookConfirmRoute"),
            ["chunk_2", "split_x"]
        );
        assert_eq!(manifest.route_chunks("app::routes::BookRoute"), ["chunk_1"]);
        // A route with a bundle fetches it alone; one without, each chunk.
        assert_eq!(
            manifest.first_view_hrefs("app::routes::BookConfirmRoute"),
            ["/pkg/book_confirm_route.h.bin"]
        );
        assert_eq!(
            manifest.first_view_hrefs("app::routes::BookRoute"),
            ["/pkg/chunk_1.wasm"]
        );
        assert!(manifest.first_view_hrefs("app::routes::Missing").is_empty());
        assert_eq!(manifest.loader_href(), "/pkg/__wasm_split.abc.js");
    }
}
