//! A patient's clinical record for clinicians and admins: the evaluations (each opens its form),
//! NRS, ODI and PSFS from baseline to latest with the change and whether it is meaningful (the
//! MCID), the progress chart, adherence to the home program, and the check-ins, 20 a page.
//! Every part is read through the service the JSON routes use, and audited as they audit it.

use actix_web::{get, web, HttpResponse};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use crate::clinical::access::AccessReason;
use crate::clinical::{check_ins, evaluations, progress};
use crate::console::patients::encode;
use crate::console::session::Staff;
use crate::console::shell;
use crate::db::users;
use crate::domain::progress::Summary;
use crate::domain::role::Role;
use crate::http::check_in_cursor;
use crate::http::paging::{self, PageParams};
use crate::state::AppState;

const PAGE: i64 = 20;

#[derive(Debug, Deserialize)]
pub struct RecordQuery {
    reason: Option<String>,
    cursor: Option<String>,
}

fn number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0 + 0.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

fn score_row(name: &str, better: &str, summary: &Option<Summary>) -> Markup {
    html! {
        tr {
            th scope="row" { (name) br; span.hint { (better) } }
            @match summary {
                None => { td colspan="5" { span.hint { "No score yet." } } }
                Some(s) => {
                    td { (number(s.baseline.value)) br; span.hint { (s.baseline.date) } }
                    td { (number(s.latest.value)) br; span.hint { (s.latest.date) } }
                    td { @if s.change > 0.0 { "+" } (number(s.change))
                        @if let Some(p) = s.percent_change { br; span.hint { @if p > 0.0 { "+" } (number(p)) " %" } } }
                    td {
                        @if s.mcid_reached { strong { "Meaningful change reached" } }
                        @else { "Not yet" }
                        br; span.hint { "meaningful at " (number(s.target)) }
                    }
                    td { (s.trend.as_str()) }
                }
            }
        }
    }
}

#[get("/console/patients/{id}/record")]
pub async fn record_page(
    state: web::Data<AppState>,
    staff: Staff,
    meta: crate::db::audit::Origin,
    path: web::Path<String>,
    query: web::Query<RecordQuery>,
) -> HttpResponse {
    let staff = staff.0;
    let actor = staff.actor.clone();
    let patient_id = path.into_inner();
    let RecordQuery { reason, cursor } = query.into_inner();
    let access = AccessReason(reason.clone().filter(|r| !r.trim().is_empty()));
    let id = patient_id.clone();
    shell::read_page(
        &state,
        &staff,
        "/console/patients",
        move |conn| {
            actor.require(&[Role::Clinician, Role::Admin])?;
            let progress = progress::read(conn, &actor, &meta, &access, &id, "progress.read")?;
            let evaluated = evaluations::of_patient(conn, &actor, &meta, &access, &id)?;
            let before = PageParams { limit: None, cursor }.cursor(3)?.map(check_in_cursor::before_cursor).transpose()?;
            let rows = check_ins::page(conn, &actor, &meta, &access, &id, before, PAGE + 1)?;
            let name = users::names(conn, std::slice::from_ref(&id))?.remove(&id).unwrap_or_default();
            Ok((progress, evaluated, paging::page(rows, PAGE, check_in_cursor::cursor_after, |r| r), name))
        },
        move |_, (progress, evaluated, (check_ins, next), name)| {
            let reason_part = reason.as_deref().map(|r| format!("&reason={}", encode(r))).unwrap_or_default();
            let chart = progress::chart(&progress).inline_svg();
            let adherence = &progress.adherence;
            let body = html! {
                p { a href={ "/console/patients/" (patient_id) } { "← " (name) } " · "
                    a href={ "/console/patients/" (patient_id) "/program" } { "Home program" } }
                h2 { "Evaluations" }
                @if evaluated.is_empty() {
                    p.hint { "No evaluation yet. Open the evaluation appointment from the patient's page and choose “Evaluation”." }
                } @else {
                    ul.list {
                        @for e in &evaluated {
                            li {
                                a href={ "/console/appointments/" (e.appointment_id) "/evaluation" } { (e.evaluated_on) }
                                " · STarT Back " (e.start_back_total) " (" (e.start_back_risk) " risk) · pain " (e.baseline_nrs)
                                @if let Some(odi) = e.baseline_odi { " · ODI " (number(odi)) " %" }
                                @if let Some(psfs) = e.baseline_psfs { " · PSFS " (number(psfs)) }
                            }
                        }
                    }
                }
                h2 { "Scores" }
                div.scroll {
                    table {
                        thead { tr { th { "Measure" } th { "Baseline" } th { "Latest" } th { "Change" } th { "Meaningful change (MCID)" } th { "Last 4 weeks" } } }
                        tbody {
                            (score_row("Pain now (NRS 0–10)", "lower is better", &progress.nrs))
                            (score_row("Disability (ODI %)", "lower is better", &progress.odi))
                            (score_row("Activities (PSFS 0–10)", "higher is better", &progress.psfs))
                        }
                    }
                }
                @if !progress.psfs_activities.is_empty() {
                    p.hint { "PSFS activities: " (progress.psfs_activities.join("; ")) }
                }
                figure.chart {
                    (PreEscaped(chart))
                    figcaption.hint { "Pain and ODI over time with the level of a meaningful change (dashed), and weekly adherence." }
                }
                h2 { "Adherence" }
                @match &adherence.last_14_days {
                    None => { p.hint { "No home program yet, so no adherence." } }
                    Some(last) => {
                        p { "Last 14 days: "
                            strong { (last.figure.percent.map_or("nothing asked".to_string(), |p| format!("{} %", number(p)))) }
                            " (" (last.figure.done) " of " (number(last.figure.prescribed)) " sessions) · streak " (adherence.current_streak) " days" }
                        div.scroll {
                            table {
                                thead { tr { th { "Week of" } th { "Done" } th { "Asked" } th { "Adherence" } } }
                                tbody {
                                    @for w in &adherence.weeks {
                                        tr { td { (w.from) } td { (w.figure.done) } td { (number(w.figure.prescribed)) }
                                            td { (w.figure.percent.map_or("—".to_string(), |p| format!("{} %", number(p)))) } }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { "Check-ins" }
                @if check_ins.is_empty() {
                    p.hint { "No check-ins yet. The app asks the patient for one each week." }
                } @else {
                    div.scroll {
                        table {
                            thead { tr { th { "Date" } th { "Pain now / average / worst" } th { "ODI %" } th { "PSFS" } th { "Sleep" } th { "Confidence" } th { "Red flags" } th { "Note" } } }
                            tbody {
                                @for c in &check_ins {
                                    tr {
                                        td { (c.completed_on) }
                                        td { (c.pain_now) " / " (c.pain_average) " / " (c.pain_worst) }
                                        td { (c.odi_score.map(number).unwrap_or_else(|| "—".into())) }
                                        td { (c.psfs_score.map(number).unwrap_or_else(|| "—".into())) }
                                        td { (c.sleep_quality.map(|v| v.to_string()).unwrap_or_else(|| "—".into())) }
                                        td { (c.exercise_confidence.map(|v| v.to_string()).unwrap_or_else(|| "—".into())) }
                                        td { @match c.red_flag_severity.as_deref() { Some(sev) => { strong.bad { (sev) } } None => { "none" } } }
                                        td { (c.note.clone().unwrap_or_default()) }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(next) = next {
                        p { a href={ "/console/patients/" (patient_id) "/record?cursor=" (next) (reason_part) } { "Older check-ins →" } }
                    }
                }
            };
            (format!("Clinical record · {name}"), body)
        },
    )
    .await
}
