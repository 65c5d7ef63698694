//! One self-contained HTML page from the tera template `reports/report.html`: no external
//! assets, works opened from disk, prints cleanly. Autoescaping is on for the template (its
//! name ends in `.html`), so every report string — container names, labels, paths, which come
//! from whoever runs containers on the host — is escaped; the script reads only data-attributes.
use super::Report;
use super::view::View;

const TEMPLATE: &str = include_str!("../../reports/report.html");

pub fn render(report: &Report) -> String {
    let mut tera = tera::Tera::new();
    tera.autoescape_on([".html"]);
    tera.add_raw_template("report.html", TEMPLATE)
        .expect("the embedded HTML template parses");
    let ctx = tera::Context::from_serialize(&View::of(report)).expect("the view serialises");
    tera.render("report.html", &ctx)
        .expect("the embedded HTML template renders every report")
}
