//! The exercise library's categories, as the API spells them and the database stores them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    BreathingMotorControl,
    Mobility,
    Stability,
    Strength,
    Conditioning,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::BreathingMotorControl,
        Category::Mobility,
        Category::Stability,
        Category::Strength,
        Category::Conditioning,
    ];

    /// As the clinic's staff read it.
    pub fn label(self) -> &'static str {
        match self {
            Category::BreathingMotorControl => "Breathing and motor control",
            Category::Mobility => "Mobility",
            Category::Stability => "Stability",
            Category::Strength => "Strength",
            Category::Conditioning => "Conditioning",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::BreathingMotorControl => "breathing_motor_control",
            Category::Mobility => "mobility",
            Category::Stability => "stability",
            Category::Strength => "strength",
            Category::Conditioning => "conditioning",
        }
    }

    /// A stored category; an unknown one reads as mobility.
    pub fn parse(value: &str) -> Category {
        Category::ALL.into_iter().find(|c| c.as_str() == value).unwrap_or(Category::Mobility)
    }
}
