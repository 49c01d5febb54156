//! A throwaway PostgreSQL server for a test: a cluster made by `initdb` in
//! a temp dir, listening only on a Unix socket in that dir, stopped and
//! deleted on drop. Needs the server's programs (`pg_config --bindir`);
//! `.ci/run` installs Debian's `postgresql` when they are missing. As root
//! (PostgreSQL refuses to run as root) the cluster belongs to the
//! `postgres` user the package creates.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// The user the server runs as, when the tests run as root.
    run_as: Option<String>,
}

/// The socket's port number (only its file name: nothing listens on TCP).
const PORT: u16 = 5432;

fn bindir() -> PathBuf {
    let out = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .expect("pg_config: PostgreSQL is not installed (bash .ci/run installs it)");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

impl Postgres {
    pub fn start() -> Postgres {
        let dir = tempfile::Builder::new().prefix("pg").tempdir().unwrap();
        let run_as = is_root().then(|| "postgres".to_string());
        if run_as.is_some() {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown the cluster dir to postgres");
        }
        let pg = Postgres {
            bin: bindir(),
            dir,
            run_as,
        };
        let data = pg.dir.path().join("data");
        pg.run(
            "initdb",
            &[
                "-D",
                path(&data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let options = format!(
            // Many servers under test at once, each with its pools.
            "-c listen_addresses='' -k {} -p {PORT} -c fsync=off -c synchronous_commit=off -c max_connections=400",
            pg.dir.path().display()
        );
        let log = pg.dir.path().join("server.log");
        pg.run(
            "pg_ctl",
            &[
                "-D",
                path(&data),
                "-l",
                path(&log),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
        pg
    }

    /// One of the server's programs, run as the cluster's owner.
    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(exe);
                c
            }
            None => Command::new(exe),
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A URL for `database` as the superuser `postgres`, over the socket.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://postgres@localhost:{PORT}/{database}?host={}",
            self.dir.path().display()
        )
    }

    /// Creates `database` and returns its URL.
    pub async fn database(&self, database: &str) -> String {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&self.url("postgres"))
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
            .execute(&mut conn)
            .await
            .unwrap();
        self.url(database)
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

impl Postgres {
    /// The cluster's temp dir.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stops the server at once (its data goes with the temp dir).
    pub fn stop(&self) {
        let data = self.dir.path().join("data");
        self.command("pg_ctl")
            .args(["-D", path(&data), "-m", "immediate", "stop"])
            .output()
            .ok();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
