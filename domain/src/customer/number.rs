//! Customer numbers (客户编号) that offline devices can hand out without talking to each other.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::ids::DeviceTag;

/// `TAG-0012`: the creating device's tag and that device's own running count. Two devices
/// never produce the same number because their tags differ; the count is local to a device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CustomerNumber {
    tag: DeviceTag,
    seq: u32,
}

impl CustomerNumber {
    pub fn new(tag: DeviceTag, seq: u32) -> Self {
        CustomerNumber { tag, seq }
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let malformed = || DomainError::MalformedId { kind: "customer number" };
        let (tag, seq) = raw.split_once('-').ok_or_else(malformed)?;
        let tag = DeviceTag::parse(tag)?;
        if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let seq = seq.parse().map_err(|_| malformed())?;
        Ok(CustomerNumber { tag, seq })
    }

    pub fn tag(&self) -> &DeviceTag {
        &self.tag
    }

    pub fn seq(&self) -> u32 {
        self.seq
    }
}

impl fmt::Display for CustomerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}", self.tag.as_str(), self.seq)
    }
}
