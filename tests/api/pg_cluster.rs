//! A private PostgreSQL server for the fault tests: its own data folder and port, so that a test
//! can stop and start it under load without touching the server the other tests share. It uses
//! the machine's own PostgreSQL binaries (`pg_config --bindir`, or the Debian layout), run as the
//! `postgres` user when the tests run as root, as initdb requires.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PgCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
}

fn bin_dir() -> PathBuf {
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|dir| dir.join("initdb").exists());
    let debian = || {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path().join("bin"))
            .filter(|dir| dir.join("initdb").exists())
            .collect();
        found.sort();
        found.pop()
    };
    from_pg_config.or_else(debian).expect("PostgreSQL's initdb and pg_ctl (the server binaries) are installed")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl PgCluster {
    /// Creates and starts a new cluster on a free port, with trust authentication.
    pub fn start() -> Self {
        let bin = bin_dir();
        let dir = tempfile::tempdir().expect("a folder for the cluster");
        if is_root() {
            let status = Command::new("chown").args(["-R", "postgres:"]).arg(dir.path()).status().unwrap();
            assert!(status.success(), "chown the cluster's folder to postgres");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cluster = Self { bin, dir, port };
        let data = cluster.data().to_string_lossy().into_owned();
        cluster.run("initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
        cluster.up();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// One of the server's tools, as the user that owns the cluster.
    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command.current_dir(Path::new("/"));
        command
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let output = self.command(tool).args(args).output().expect("run a PostgreSQL tool");
        assert!(
            output.status.success(),
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts the server and waits until it accepts connections.
    pub fn up(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let data = self.data().to_string_lossy().into_owned();
        let log = self.dir.path().join("server.log").to_string_lossy().into_owned();
        self.run("pg_ctl", &["-D", &data, "-o", &options, "-l", &log, "-w", "-t", "60", "start"]);
    }

    /// Stops the server the way a restart does: open connections are cut.
    pub fn down(&self) {
        let data = self.data().to_string_lossy().into_owned();
        self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data().to_string_lossy().into_owned();
        let _ = self.command("pg_ctl").args(["-D", &data, "-m", "immediate", "stop"]).output();
    }
}
