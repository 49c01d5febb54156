//! The shared state handle every task holds: cheap to clone.

use std::sync::Arc;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::service::{ChartService, NewsService};
use crate::store::BarStore;
use crate::telemetry::Telemetry;
use crate::upstream::{ChartClient, FeedClient, HttpUpstream};

#[derive(Debug, Clone)]
pub struct App {
    pub chart: ChartService,
    /// Market news, read through the store to the feeds.
    pub news: NewsService,
    pub config: Arc<Config>,
    /// Per-tool counters of the one call path.
    pub telemetry: Arc<Telemetry>,
    /// Which symbols callers are served, for the warming watchlist.
    pub popularity: Arc<crate::scheduler::popularity::Popularity>,
}

impl App {
    /// Opens the store and wires the service, with the clock `config` asks for.
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        let clock = match config.as_of {
            // Replay: time stands still at the instant asked for.
            Some(at) => crate::clock::ManualClock::new(at) as SharedClock,
            None => crate::clock::configured(config.now),
        };
        Self::start_with_clock(config, clock).await
    }

    pub async fn start_with_clock(config: Config, clock: SharedClock) -> anyhow::Result<Self> {
        let store = BarStore::open_location(&config.db).await?;
        let http = Arc::new(HttpUpstream::new(
            config.upstream.clone(),
            clock.clone(),
            store.clone(),
        )?);
        let chart_client = ChartClient::new(http.clone(), &config.yahoo_url)?;
        let feeds = FeedClient::new(http, &config.news)?;
        let news = NewsService::new(store.clone(), feeds, clock.clone(), config.news.clone());
        let chart = ChartService::new(store, chart_client, clock, config.service.clone());
        let telemetry = Telemetry::new(crate::tools::registry().iter().map(|t| t.name));
        Ok(Self {
            chart,
            news,
            config: Arc::new(config),
            telemetry: Arc::new(telemetry),
            popularity: Arc::default(),
        })
    }

    /// The process's clock.
    pub fn clock(&self) -> &SharedClock {
        self.chart.clock()
    }

    /// Flushes and closes the store.
    pub async fn shutdown(&self) {
        crate::scheduler::flush_once(self).await;
        self.chart.store().close().await;
    }
}
