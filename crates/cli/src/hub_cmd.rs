//! `konsekvens hub …` (serve and administer the sync hub) and `konsekvens sync`.

use crate::{env, open, Failure};
use konsekvens_core::{UserError, Workspace};
use clap::{Args, Subcommand};
use konsekvens_hub::oplog::{self, LogFormat};
use konsekvens_hub::backup;
use konsekvens_hub::{printable, BasePolicy, HubStore, LiveEvent, LiveOptions, LiveState, Role, ServeConfig, Server, SyncOptions, Synchronous};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum HubCommand {
    /// Run the hub: y-sync over WebSocket at ws://ADDR/dpia/<id>/<document>; SIGTERM stops it cleanly
    Serve {
        /// Directory of the hub's database (hub.sqlite); created if missing
        #[arg(long)]
        data: PathBuf,
        /// Address to listen on; port 0 picks a free port (the address is printed on stderr)
        #[arg(long, default_value = "127.0.0.1:7878")]
        listen: SocketAddr,
        /// Refuse (close with 1009) any WebSocket message larger than this many bytes
        #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_MAX_MESSAGE_SIZE)]
        max_message_size: usize,
        #[command(flatten)]
        limits: ServeLimits,
        /// full: fsync every commit (nothing acknowledged is lost, even on power loss);
        /// normal: fsync at checkpoints (nothing lost when the process dies; lower latency)
        #[arg(long, default_value_t = Synchronous::Full)]
        synchronous: Synchronous,
        /// One line per connection, refusal and shutdown step on stderr
        #[arg(long)]
        verbose: bool,
        /// text (for a terminal) or json (one object per line, for journald/Loki/Elasticsearch)
        #[arg(long, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
        /// Also serve /metrics (OpenMetrics, for Prometheus) and /healthz on this address;
        /// keep it on loopback or the monitoring network (/healthz is on --listen too)
        #[arg(long)]
        metrics_listen: Option<SocketAddr>,
        /// Accept OpenID Connect ID tokens from the providers in this JSON file besides
        /// tokens (issuer, audience, jwks_uri, the claim and its organisations; see the hub's README)
        #[arg(long)]
        oidc: Option<PathBuf>,
    },
    /// Copy the hub's database to FILE while it serves (SQLite's online backup): one
    /// consistent file holding every change acknowledged before it began
    Backup {
        #[arg(long)]
        data: PathBuf,
        /// The backup file; never replaced if it exists
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place as DIR's database; the hub must be stopped. The database it
    /// replaces (only with --force) is moved into DIR/before-restore-<time>/
    Restore {
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Organisations (municipalities by code, and the coordinator)
    #[command(subcommand)]
    Org(OrgCommand),
    /// Access tokens: the secret is printed once and only its hash is stored
    #[command(subcommand)]
    Token(TokenCommand),
    /// Joint DPIAs and who takes part
    #[command(subcommand)]
    Dpia(DpiaCommand),
    /// The hub's log, oldest first: number, time, document, organisation, token, size, and
    /// what each update inserted, deleted and changed
    Log {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        dpia: String,
        /// Only this organisation's updates (e.g. 561)
        #[arg(long)]
        org: Option<String>,
        /// Only this document: base, coordination or supplement/101
        #[arg(long, value_parser = crate::versions_cmd::parse_doc)]
        doc: Option<konsekvens_core::DocKey>,
        /// Only the last N
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Refused writes, newest last: time, organisation, token, document, reason
    Refusals {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        dpia: String,
    },
}

/// The hub's limits (see the hub's README, "Limits").
#[derive(Args)]
pub struct ServeLimits {
    /// Refuse an update larger than this many bytes
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_MAX_UPDATE_SIZE)]
    max_update_size: usize,
    /// Refuse an update that would make a document (its encoded state) larger than this many bytes
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_MAX_DOCUMENT_SIZE)]
    max_document_size: usize,
    /// Drop a presence (awareness) state larger than this many bytes of JSON
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_MAX_PRESENCE_SIZE)]
    max_presence_size: usize,
    /// Close a connection from which no whole message arrived for this many seconds
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_IDLE_TIMEOUT.as_secs())]
    idle_timeout: u64,
    /// Keep a document in memory this many seconds after its last connection closed
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_ROOM_IDLE.as_secs())]
    room_idle: u64,
    /// Close a connection whose frame, once begun, is not complete within this many seconds
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_FRAME_TIMEOUT.as_secs())]
    frame_timeout: u64,
    /// Open connections in total (HTTP 503 beyond)
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// Open connections per token (HTTP 429 beyond)
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_MAX_CONNECTIONS_PER_TOKEN)]
    max_connections_per_token: usize,
    /// Failed authentications from one address within a minute before it gets HTTP 429
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_AUTH_FAILURES)]
    auth_failures: u32,
    /// Seconds a throttled address gets HTTP 429
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_AUTH_THROTTLE.as_secs())]
    auth_throttle: u64,
    /// Empty the write-ahead log (a TRUNCATE checkpoint) once it is larger than this many bytes
    #[arg(long, default_value_t = konsekvens_hub::server::DEFAULT_WAL_LIMIT)]
    wal_limit: u64,
    /// Behind a reverse proxy (and reachable only through it): throttle and record the client
    /// address the proxy puts last in X-Forwarded-For, not the proxy's own
    #[arg(long)]
    trust_proxy: bool,
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Register an organisation, e.g. --code 101 --name København
    Add {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
    /// List the registered organisations
    List {
        #[arg(long)]
        data: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Issue a token for an organisation and print it (once)
    Issue {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        org: String,
        /// coordinator, member or reader
        #[arg(long)]
        role: Role,
        /// A note on who holds it, e.g. "DPO Aarhus"
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a token by its number (see `hub token list`) or by its secret
    Revoke {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, conflicts_with = "secret", required_unless_present = "secret")]
        id: Option<i64>,
        #[arg(long)]
        secret: Option<String>,
    },
    /// List tokens by number, organisation, role and whether revoked (never the secret)
    List {
        #[arg(long)]
        data: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum DpiaCommand {
    /// Register a joint DPIA, its coordinator and participants
    Add {
        #[arg(long)]
        data: PathBuf,
        /// The id in the hub's URLs and the workspace's dpia_id, e.g. aula
        #[arg(long)]
        id: String,
        #[arg(long, default_value = "")]
        title: String,
        /// The coordinating organisation's code
        #[arg(long)]
        coordinator: String,
        /// Who writes the base: all (every participant) or coordinator
        #[arg(long, default_value = "all")]
        base_policy: BasePolicy,
        /// A participating organisation's code; repeat for each
        #[arg(long = "participant")]
        participants: Vec<String>,
    },
    /// Add a participant to a registered joint DPIA
    Join {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        id: String,
        #[arg(long)]
        org: String,
    },
    /// List the registered joint DPIAs, their coordinators and participants
    List {
        #[arg(long)]
        data: PathBuf,
    },
}

#[derive(Args)]
pub struct SyncArgs {
    path: PathBuf,
    /// The hub, e.g. ws://hub.example.dk:7878 (or …/dpia/<id> to name the joint DPIA)
    #[arg(long)]
    hub: String,
    /// The token, or set KONSEKVENS_TOKEN (keeps it out of the process list)
    #[arg(long, env = "KONSEKVENS_TOKEN", hide_env_values = true, required_unless_present = "sign_in")]
    token: Option<String>,
    /// Present the sign-in of `konsekvens login` (the person's ID token) instead of a token;
    /// refreshed when it expires (and the hub closes the connection then)
    #[arg(long, conflicts_with = "token")]
    sign_in: bool,
    /// Stay connected until Ctrl-C/SIGTERM: others' changes are written to PATH as they
    /// arrive, changes to PATH (by any program) go out within a quarter second; offline,
    /// reconnects with backoff
    #[arg(long)]
    watch: bool,
    /// Create PATH as an empty workspace and fill it from the hub (joining a joint DPIA);
    /// refused if PATH exists
    #[arg(long)]
    new: bool,
    /// Who syncs, for the høring: this municipality also fetches the threads on its
    /// supplement (default: only the public remarks)
    #[arg(long, conflicts_with = "coordinator")]
    org: Option<konsekvens_core::model::OrgCode>,
    /// The coordinator: also fetches the threads on every supplement
    #[arg(long)]
    coordinator: bool,
}

impl SyncArgs {
    fn options(&self) -> SyncOptions {
        let party = match (self.org, self.coordinator) {
            (Some(code), _) => Some(konsekvens_core::doc::Party::Org(code)),
            (None, true) => Some(konsekvens_core::doc::Party::Coordinator),
            (None, false) => None,
        };
        SyncOptions { party, ..SyncOptions::default() }
    }
}

fn store(data: &std::path::Path) -> Result<HubStore, Failure> {
    HubStore::open(data).map_err(Failure::input)
}

fn problem<E: Into<UserError>>(e: E) -> Failure {
    Failure::problem(e)
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Problem(UserError::internal(format!("the async runtime cannot start: {e}"))))
}

pub fn run(cmd: HubCommand) -> Result<(), Failure> {
    match cmd {
        HubCommand::Serve { data, listen, max_message_size, limits, synchronous, verbose, log_format, metrics_listen, oidc } => {
            let secs = std::time::Duration::from_secs;
            oplog::set_format(log_format);
            let oidc = oidc.map(|path| konsekvens_hub::oidc::OidcConfig::read(&path)).transpose().map_err(Failure::input)?;
            let config = ServeConfig {
                oidc,
                verbose,
                metrics_listen,
                max_message_size,
                synchronous,
                max_update_size: limits.max_update_size,
                max_document_size: limits.max_document_size,
                max_presence_size: limits.max_presence_size,
                idle_timeout: secs(limits.idle_timeout.max(1)),
                frame_timeout: secs(limits.frame_timeout.max(1)),
                room_idle: secs(limits.room_idle),
                max_connections: limits.max_connections,
                max_connections_per_token: limits.max_connections_per_token,
                auth_failures: limits.auth_failures,
                auth_throttle: secs(limits.auth_throttle),
                wal_limit: limits.wal_limit,
                trust_proxy: limits.trust_proxy,
                ..ServeConfig::new(data, listen)
            };
            runtime()?
                .block_on(async {
                    let server = Server::bind(config).await?;
                    // Scripts and tests read the address from this line (with --listen …:0).
                    let listening = format!("Hubben lytter på ws://{}", server.local_addr());
                    match log_format {
                        LogFormat::Text => eprintln!("{listening}"),
                        LogFormat::Json => oplog::line(oplog::Level::Info, format_args!("{listening}")),
                    }
                    if let Some(addr) = server.metrics_addr() {
                        let metrics = format!("Målinger på http://{addr}/metrics");
                        match log_format {
                            LogFormat::Text => eprintln!("{metrics}"),
                            LogFormat::Json => oplog::line(oplog::Level::Info, format_args!("{metrics}")),
                        }
                    }
                    server.run(konsekvens_hub::shutdown_signal()).await
                })
                .map_err(problem)?;
        }
        HubCommand::Backup { data, to } => {
            let r = backup::backup(&data, &to).map_err(problem)?;
            eprintln!(
                "Sikkerhedskopi skrevet: {} ({} bytes, skema {}, {} fælles konsekvensanalyser, {} opdateringer, til nr. {})",
                r.path.display(),
                r.bytes,
                r.schema,
                r.dpias,
                r.updates,
                r.last_seq
            );
        }
        HubCommand::Restore { from, data, force } => {
            let r = backup::restore(&from, &data, force).map_err(problem)?;
            eprintln!(
                "Gendannet fra {}: {} fælles konsekvensanalyser, {} opdateringer, til nr. {} (skema {}). Start hubben; deltagerne sender det, der kom efter sikkerhedskopien",
                from.display(),
                r.dpias,
                r.updates,
                r.last_seq,
                r.schema
            );
        }
        HubCommand::Org(OrgCommand::Add { data, code, name }) => {
            store(&data)?.add_org(&code, &name).map_err(problem)?;
            eprintln!("Organisation {code} ({name}) er registreret");
        }
        HubCommand::Org(OrgCommand::List { data }) => {
            for o in store(&data)?.orgs().map_err(problem)? {
                println!("{}\t{}", o.code, o.name);
            }
        }
        HubCommand::Token(TokenCommand::Issue { data, org, role, label }) => {
            let t = store(&data)?.issue_token(&org, role, &label).map_err(problem)?;
            eprintln!("Token nr. {} for {} ({}). Det vises kun denne ene gang:", t.id, t.org, t.role);
            println!("{}", t.secret);
        }
        HubCommand::Token(TokenCommand::Revoke { data, id, secret }) => {
            let store = store(&data)?;
            let id = match (id, secret) {
                (Some(id), _) => store.revoke_token(id).map(|()| id),
                (None, Some(secret)) => store.revoke_token_secret(&secret),
                (None, None) => unreachable!("clap requires --id or --secret"),
            }
            .map_err(problem)?;
            eprintln!("Token nr. {id} er tilbagekaldt");
        }
        HubCommand::Token(TokenCommand::List { data }) => {
            for t in store(&data)?.tokens().map_err(problem)? {
                let state = if t.revoked_at.is_some() { "tilbagekaldt" } else { "aktiv" };
                println!("{}\t{}\t{}\t{}\t{}", t.id, t.org, t.role, state, t.label);
            }
        }
        HubCommand::Dpia(DpiaCommand::Add { data, id, title, coordinator, base_policy, participants }) => {
            let parts: Vec<&str> = participants.iter().map(String::as_str).collect();
            store(&data)?.add_dpia(&id, &title, &coordinator, base_policy, &parts).map_err(problem)?;
            eprintln!("Fælles konsekvensanalyse «{id}» er registreret ({} deltagere)", parts.len());
        }
        HubCommand::Dpia(DpiaCommand::Join { data, id, org }) => {
            store(&data)?.add_participant(&id, &org).map_err(problem)?;
            eprintln!("{org} deltager nu i «{id}»");
        }
        HubCommand::Dpia(DpiaCommand::List { data }) => {
            for d in store(&data)?.dpias().map_err(problem)? {
                println!("{}\t{}\tkoordinator {}\tbasis: {}\tdeltagere: {}", d.id, d.title, d.coordinator, d.base_policy.as_str(), d.participants.join(", "));
            }
        }
        HubCommand::Log { data, dpia, org, doc, limit } => {
            let store = store(&data)?;
            let entries = konsekvens_hub::attribution::hub_log(&store, &dpia, org.as_deref(), doc, limit).map_err(problem)?;
            println!("Nr.\tTidspunkt\tDokument\tOrganisation\tToken\tStørrelse");
            for e in &entries {
                let c = &e.change;
                let org = if e.org_name.is_empty() { c.org.clone() } else { format!("{} {}", c.org, e.org_name) };
                let token = if e.token_label.is_empty() { format!("nr. {}", c.token_id) } else { format!("nr. {} ({})", c.token_id, e.token_label) };
                println!("#{}\t{}\t{}\t{org}\t{token}\t{} B", c.seq, konsekvens_core::env::format_millis(c.at_millis), c.doc, c.size);
                let inserted = if c.ids.inserted.is_empty() { "intet".to_string() } else { konsekvens_hub::attribution::spans_text(&c.ids.inserted) };
                let deleted = if c.ids.deleted.is_empty() { "intet".to_string() } else { konsekvens_hub::attribution::spans_text(&c.ids.deleted) };
                println!("    indsat: {inserted} · slettet: {deleted}");
                for line in konsekvens_core::history::summary(&c.changes) {
                    println!("    {line}");
                }
            }
            if entries.is_empty() {
                eprintln!("Ingen opdateringer i hubbens log for «{dpia}» med de valgte filtre");
            }
        }
        HubCommand::Refusals { data, dpia } => {
            for r in store(&data)?.refusals(&dpia).map_err(problem)? {
                let at = konsekvens_core::env::format_millis(r.at_millis);
                let org = r.org.as_deref().map_or_else(|| "-".to_string(), printable);
                let token = r.token_id.map_or_else(|| "-".to_string(), |t| t.to_string());
                println!("{at}\t{org}\ttoken {token}\t{}\t{}", printable(&r.doc), printable(&r.reason));
            }
        }
    }
    Ok(())
}

/// What `sync` presents to the hub: a token, or the kept sign-in (refreshed when due).
enum Bearer {
    Token(String),
    SignIn(konsekvens_hub::signin::CredentialStore, konsekvens_hub::signin::Credentials),
}

impl Bearer {
    fn of(a: &SyncArgs) -> Result<Bearer, Failure> {
        use crate::login_cmd::failure;
        match (&a.token, a.sign_in) {
            (_, true) => {
                let store = konsekvens_hub::signin::CredentialStore::default_location().map_err(failure)?;
                let c = store.fresh().map_err(failure)?;
                eprintln!("logget ind som {}", printable(&c.person()));
                Ok(Bearer::SignIn(store, c))
            }
            (Some(t), false) => Ok(Bearer::Token(t.clone())),
            (None, false) => Err(Failure::Input(UserError::new("K-SYNC-TOKEN", "angiv --token eller --sign-in", "give --token or --sign-in"))),
        }
    }

    fn secret(&self) -> &str {
        match self {
            Bearer::Token(t) => t,
            Bearer::SignIn(_, c) => &c.id_token,
        }
    }

    /// After the hub said the sign-in expired: a refreshed one, or the error to stop with.
    fn renew(&mut self, why: &str) -> Result<(), Failure> {
        match self {
            Bearer::Token(_) => Err(sync_failure(konsekvens_hub::SyncError::SignInExpired(why.to_owned()))),
            Bearer::SignIn(store, c) => {
                eprintln!("log-ind er udløbet ({}); fornyer det hos udbyderen …", printable(why));
                *c = store.renew(c).map_err(crate::login_cmd::failure)?;
                eprintln!("fornyet: logget ind som {} til {}", printable(&c.person()), konsekvens_core::env::format_millis(c.expires_at as i64 * 1000));
                Ok(())
            }
        }
    }
}

pub fn sync(a: SyncArgs) -> Result<(), Failure> {
    let rt = runtime()?;
    let mut bearer = Bearer::of(&a)?;
    let mut ws = if a.new {
        if a.path.exists() {
            return Err(Failure::Input(
                UserError::new("K-FIL-FINDES", "filen findes allerede; --new opretter kun en ny fil", "the file exists already; --new only creates a new file").in_file(&a.path),
            ));
        }
        // The first round fills a temporary file that becomes the workspace only when it
        // succeeded: a refusal or a hostile hub leaves nothing that would block a retry.
        let (ws, report) = Workspace::create_filled(&a.path, env(), |ws| {
            rt.block_on(konsekvens_hub::sync_once_with(ws, &a.hub, bearer.secret(), &a.options())).map_err(sync_failure)
        })?;
        if !a.watch {
            return round_result(&report);
        }
        ws
    } else {
        open(&a.path)?
    };
    if a.watch {
        let mut on_event = |event: LiveEvent| match event {
            LiveEvent::State(LiveState::Connecting) => eprintln!("forbinder til hubben …"),
            LiveEvent::State(LiveState::Live) => eprintln!("live: i takt med hubben; ændringer sendes og modtages løbende"),
            LiveEvent::State(LiveState::Offline { pending, retry_in, error }) => {
                eprintln!("offline ({}); {pending} ændring(er) venter i filen; nyt forsøg om {retry_in:?}", printable(&error))
            }
            LiveEvent::Received { key, .. } => eprintln!("{key}: ændringer modtaget"),
            LiveEvent::Refused { key, reason, .. } => {
                eprintln!("{key}: AFVIST af hubben: {} (ændringen står stadig i arbejdsfilens log)", printable(&reason))
            }
            LiveEvent::Unavailable { key, reason } => eprintln!("{key}: ikke tilgængelig: {}", printable(&reason)),
            LiveEvent::Presence { key, peers } => {
                let who: Vec<String> = peers
                    .iter()
                    .map(|p| {
                        let name = printable(&p.name.clone().unwrap_or_else(|| format!("klient {}", p.client_id)));
                        // The organisation is the hub's (from the peer's token); the name is the peer's own.
                        let name = match (&p.org_name, &p.org) {
                            (Some(org), _) | (None, Some(org)) => format!("{name} ({})", printable(org)),
                            (None, None) => name,
                        };
                        match &p.section {
                            Some(section) => format!("{name} i {}", printable(section)),
                            None => name,
                        }
                    })
                    .collect();
                eprintln!("{key}: til stede: {}", if who.is_empty() { "ingen andre".to_string() } else { who.join(", ") });
            }
        };
        konsekvens_hub::ensure_remark_documents(&mut ws, a.options().party).map_err(sync_failure)?;
        let shutdown = konsekvens_hub::shutdown_signal();
        tokio::pin!(shutdown);
        loop {
            let (_handle, control) = konsekvens_hub::live_control();
            let ended = rt.block_on(konsekvens_hub::sync_live(&mut ws, &a.hub, bearer.secret(), LiveOptions::default(), control, &mut on_event, &mut shutdown));
            match ended {
                // The hub closed the connection as the ID token expired: refresh, reconnect.
                Err(konsekvens_hub::SyncError::SignInExpired(why)) => bearer.renew(&why)?,
                other => return other.map_err(sync_failure),
            }
        }
    }
    let report = match rt.block_on(konsekvens_hub::sync_once_with(&mut ws, &a.hub, bearer.secret(), &a.options())) {
        Err(konsekvens_hub::SyncError::SignInExpired(why)) => {
            bearer.renew(&why)?;
            rt.block_on(konsekvens_hub::sync_once_with(&mut ws, &a.hub, bearer.secret(), &a.options()))
        }
        other => other,
    }
    .map_err(sync_failure)?;
    round_result(&report)
}

/// Prints a sync round's report; exit 0 exactly when the workspace and the hub are equal.
fn round_result(report: &konsekvens_hub::SyncReport) -> Result<(), Failure> {
    eprint!("{report}");
    if report.in_sync() {
        Ok(())
    } else {
        Err(Failure::Silent(1))
    }
}

fn sync_failure(e: konsekvens_hub::SyncError) -> Failure {
    match e {
        konsekvens_hub::SyncError::BadUrl(_) | konsekvens_hub::SyncError::NoDpiaId => Failure::input(e),
        // What a hub sends is printed only as printable, short text.
        other => {
            let u = UserError::from(other);
            Failure::Problem(UserError { da: printable(&u.da), en: printable(&u.en), ..u })
        }
    }
}
