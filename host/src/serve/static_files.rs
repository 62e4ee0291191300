//! What `/` serves: the web app build from a directory, or, when there is none, a built-in page that
//! says what this server is, lists the API and offers a form to try it.

use std::fmt;
use std::path::{Path, PathBuf};

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use tower_http::services::ServeDir;

use super::errors::no_route;
use crate::error::HostError;

/// Where the web app build is looked for when `--www` is not given, relative to the current directory.
const DEFAULT_WWW: &str = "www/dist";

/// The built-in page at `/`, served when there is no web app build.
const HOME_PAGE: &str = include_str!("home.html");

/// The site served at `/`.
#[derive(Debug)]
pub enum Site {
    /// Static files from a directory (`index.html` for a directory path).
    Directory(PathBuf),
    /// The built-in page at `/` only.
    BuiltIn,
}

impl Site {
    /// The site for `--www DIR` (which must be a directory), else `www/dist` if it is one, else the built-in page.
    pub fn locate(www: Option<&Path>) -> Result<Self, HostError> {
        match www {
            Some(dir) => match std::fs::metadata(dir) {
                Ok(meta) if meta.is_dir() => Ok(Site::Directory(dir.to_owned())),
                Ok(_) => Err(HostError::Io {
                    what: format!("--www {}", dir.display()),
                    source: std::io::ErrorKind::NotADirectory.into(),
                }),
                Err(source) => Err(HostError::Io {
                    what: format!("--www {}", dir.display()),
                    source,
                }),
            },
            None if Path::new(DEFAULT_WWW).is_dir() => Ok(Site::Directory(DEFAULT_WWW.into())),
            None => Ok(Site::BuiltIn),
        }
    }

    /// The routes serving this site; paths it does not have are answered 404.
    pub fn router(&self) -> Router {
        match self {
            Site::Directory(dir) => Router::new().fallback_service(ServeDir::new(dir)),
            Site::BuiltIn => Router::new()
                .route("/", get(|| async { Html(HOME_PAGE) }))
                .fallback(no_route),
        }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Site::Directory(dir) => write!(f, "{}", dir.display()),
            Site::BuiltIn => f.write_str("(built-in page)"),
        }
    }
}
