//! An instrument's stored holdings, read through the service: the meta is
//! loaded through L1 -> store -> upstream first (a symbol never asked for is
//! fetched once, like any tool call would), then the store reports what it
//! holds.

use super::{BarQuery, ChartService, ServiceError};
use crate::model::Interval;
use crate::store::InstrumentOverview;
use crate::symbol::ResolvedSymbol;

impl ChartService {
    /// What the store holds about `symbol`, after making sure its meta is
    /// known (a daily read over the default span, answered from L1 or the
    /// store when they have it).
    pub async fn instrument_overview(
        &self,
        symbol: &ResolvedSymbol,
    ) -> Result<InstrumentOverview, ServiceError> {
        if let Some(overview) = self.store().instrument_overview(&symbol.yahoo).await? {
            return Ok(overview);
        }
        let query = BarQuery {
            symbol: symbol.clone(),
            interval: Interval::D1,
            start: None,
            end: None,
            adjust: Default::default(),
            max_age_secs: None,
        };
        self.get(&query).await?;
        self.store()
            .instrument_overview(&symbol.yahoo)
            .await?
            .ok_or_else(|| ServiceError::UnknownSymbol {
                symbol: symbol.yahoo.clone(),
                detail: "nothing is stored for it and the upstream gave no meta".to_string(),
            })
    }
}
