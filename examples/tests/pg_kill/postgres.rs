//! A PostgreSQL server of a test's own, which it may stop and start again
//! without disturbing other tests: a cluster made with `initdb` in a
//! temporary folder, listening on a free port of loopback, run as the
//! `postgres` user when the test runs as root (the server refuses root),
//! stopped and removed when dropped.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The user the cluster is made for, with no password (trust).
const USER: &str = "workflows";

/// A running server of a test's own.
pub struct Postgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    /// Whether the tools run as `postgres`: the test runs as root.
    as_postgres: bool,
    running: bool,
}

impl Postgres {
    /// Makes a cluster and starts its server; `Err` says why there is
    /// none: no server programs on this machine, or they failed (what
    /// they said).
    pub fn start() -> Result<Self, String> {
        let bin = bindir().ok_or("no PostgreSQL server programs (initdb, pg_ctl, postgres)")?;
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("typed-workflows-pg-")
            .tempdir()
            .map_err(|error| format!("no temporary folder: {error}"))?;
        let port = free_port();
        let mut server = Self {
            bin,
            dir,
            port,
            as_postgres,
            running: false,
        };
        if as_postgres {
            run(Command::new("chown")
                .args(["postgres:postgres"])
                .arg(server.dir.path()))?;
        }
        let data = server.data();
        server.tool("initdb", |initdb| {
            initdb
                .args([
                    "--auth=trust",
                    "--no-sync",
                    "--encoding=UTF8",
                    "-U",
                    USER,
                    "-D",
                ])
                .arg(&data);
        })?;
        server.start_again()?;
        Ok(server)
    }

    /// `postgres://workflows@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server at once, as a crash would (`pg_ctl -m immediate`:
    /// no checkpoint, every connection cut), and waits until it is down.
    pub fn stop_now(&mut self) -> Result<(), String> {
        let data = self.data();
        self.tool("pg_ctl", |pg_ctl| {
            pg_ctl
                .args(["stop", "-m", "immediate", "-w", "-D"])
                .arg(&data);
        })?;
        self.running = false;
        Ok(())
    }

    /// Starts the server on its port, and waits until it takes
    /// connections (`pg_ctl -w`, then `pg_isready`).
    pub fn start_again(&mut self) -> Result<(), String> {
        let (data, port) = (self.data(), self.port);
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        self.tool("pg_ctl", |pg_ctl| {
            pg_ctl
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .args(["-o", &options]);
        })?;
        self.running = true;
        self.tool("pg_isready", |ready| {
            ready.args(["-h", "127.0.0.1", "-t", "30", "-p", &port.to_string()]);
        })
    }

    /// Stops the server at once and starts it again on the same port.
    pub fn restart_now(&mut self) -> Result<(), String> {
        self.stop_now()?;
        self.start_again()
    }

    /// What `psql` prints of `sql` (or of its failure), for a failure's
    /// message.
    pub fn sql(&self, sql: &str) -> String {
        match Command::new(self.bin.join("psql"))
            .args([&self.url(), "-Atc", sql])
            .output()
        {
            Ok(output) => format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(error) => format!("psql did not run: {error}"),
        }
    }

    /// What the server has logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs the tool `name`, set up by `args`, as the server's user.
    fn tool(&self, name: &str, args: impl FnOnce(&mut Command)) -> Result<(), String> {
        let program = self.bin.join(name);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        args(&mut command);
        run(&mut command)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if self.running {
            let _ = self.stop_now();
        }
    }
}

/// Runs `command`; its failure, with what it said.
fn run(command: &mut Command) -> Result<(), String> {
    match command.output() {
        Ok(Output { status, .. }) if status.success() => Ok(()),
        Ok(output) => Err(format!(
            "{command:?} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )),
        Err(error) => Err(format!("{command:?} did not run: {error}")),
    }
}

/// The folder of the server programs: `pg_config --bindir`'s, or the
/// newest of `/usr/lib/postgresql/*/bin`, if it holds them.
fn bindir() -> Option<PathBuf> {
    let has_server = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|p| dir.join(p).is_file())
    };
    let configured = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    let mut installed: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    installed.sort();
    configured
        .into_iter()
        .chain(installed.into_iter().rev().map(|(_, dir)| dir))
        .find(|dir| has_server(dir))
}

/// Whether this process runs as root.
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

/// A port of loopback that nothing listens on just now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}
