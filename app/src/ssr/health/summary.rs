//! The human-readable health record summary: one list of blocks, written out as a printable
//! HTML document (the print page, the plain-email attachment, the secure link) and as a PDF.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use crate::model::health::{Flag, HealthRecord, Section};

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Heading(String),
    Item(String),
    Text(String),
}

/// The summary of `rec`, made at `generated` (words, in the practice's zone).
pub fn blocks(rec: &HealthRecord, generated: &str) -> Vec<Block> {
    let mut b = vec![
        Block::Title(format!("Health record summary: {}", rec.patient_name)),
        Block::Text(format!(
            "Born {}. Record kept by {}, {}{}.",
            rec.date_of_birth,
            rec.practice.name,
            rec.practice.phone,
            if rec.practice.address.is_empty() {
                String::new()
            } else {
                format!(", {}", rec.practice.address)
            }
        )),
        Block::Text(if rec.filter_label.is_empty() {
            format!("Everything on file, as of {generated}.")
        } else {
            format!("{}, as of {generated}.", rec.filter_label)
        }),
    ];
    for (section, items) in rec.lists.iter().filter(|(s, _)| *s != Section::Imaging) {
        list(&mut b, *section, items);
    }
    b.push(Block::Heading(Section::Vitals.heading().into()));
    if rec.vitals.is_empty() {
        b.push(Block::Text(Section::Vitals.empty().into()));
    }
    for v in &rec.vitals {
        let rows: Vec<String> = v.rows.iter().map(|(d, x)| format!("{d}: {x}")).collect();
        b.push(Block::Item(format!("{}. {}", v.title, rows.join("; "))));
    }
    b.push(Block::Heading(Section::Labs.heading().into()));
    if rec.labs.is_empty() {
        b.push(Block::Text(Section::Labs.empty().into()));
    }
    for t in &rec.labs {
        for r in &t.results {
            let mut parts = vec![format!("{}: {}", r.date, r.value)];
            if r.flag != Flag::None {
                parts.push(r.flag.label().into());
            }
            if !r.range.is_empty() {
                parts.push(format!("range {}", r.range));
            }
            parts.push(r.status.clone());
            if !r.lab.is_empty() {
                parts.push(r.lab.clone());
            }
            b.push(Block::Item(format!("{}. {}", t.title, parts.join(" · "))));
        }
    }
    if let Some((s, items)) = rec.lists.iter().find(|(s, _)| *s == Section::Imaging) {
        list(&mut b, *s, items);
    }
    for (heading, items) in [
        ("Upcoming appointments", &rec.upcoming),
        ("Past appointments", &rec.past),
    ] {
        b.push(Block::Heading(heading.into()));
        if items.is_empty() {
            b.push(Block::Text("None.".into()));
        }
        for a in items {
            b.push(Block::Item(format!(
                "{}: {} ({}). {}",
                a.date, a.title, a.status, a.detail
            )));
        }
    }
    b
}

fn list(b: &mut Vec<Block>, section: Section, items: &[crate::model::health::RecordItem]) {
    b.push(Block::Heading(section.heading().into()));
    if items.is_empty() {
        b.push(Block::Text(section.empty().into()));
    }
    for i in items {
        let meta: Vec<&str> = [i.status.as_str(), &i.date, &i.detail, &i.performer]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        b.push(Block::Item(if meta.is_empty() {
            i.title.clone()
        } else {
            format!("{} ({})", i.title, meta.join(" · "))
        }));
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A standalone, printable HTML document.
pub fn html(blocks: &[Block]) -> String {
    let mut out = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Health record summary</title><style>\
         body{font:15px/1.45 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1b2430}\
         h1{font-size:1.5rem}h2{font-size:1.1rem;margin:1.5rem 0 .4rem;border-bottom:1px solid #ccd}\
         ul{margin:0;padding-left:1.2rem}li{margin:.2rem 0}\
         @media print{body{margin:0;max-width:none}}</style></head><body>",
    );
    let mut in_list = false;
    for b in blocks {
        let is_item = matches!(b, Block::Item(_));
        if in_list && !is_item {
            out.push_str("</ul>");
            in_list = false;
        }
        match b {
            Block::Title(t) => out.push_str(&format!("<h1>{}</h1>", escape(t))),
            Block::Heading(t) => out.push_str(&format!("<h2>{}</h2>", escape(t))),
            Block::Text(t) => out.push_str(&format!("<p>{}</p>", escape(t))),
            Block::Item(t) => {
                if !in_list {
                    out.push_str("<ul>");
                    in_list = true;
                }
                out.push_str(&format!("<li>{}</li>", escape(t)));
            }
        }
    }
    if in_list {
        out.push_str("</ul>");
    }
    out.push_str("</body></html>");
    out
}

/// Text in the PDF's WinAnsi encoding (the standard Helvetica needs no embedded font).
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '–' => 0x96,
            '—' => 0x97,
            '’' => 0x92,
            '‘' => 0x91,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '…' => 0x85,
            _ => b'?',
        })
        .collect()
}

/// Splits `text` into lines of at most `width` points at `size` (Helvetica's average glyph
/// is about half its size wide; a little narrower keeps long words inside the margin).
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let max = ((width / (size * 0.5)) as usize).max(10);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The summary as a US Letter PDF.
pub fn pdf(blocks: &[Block]) -> Vec<u8> {
    const W: f32 = 612.0;
    const H: f32 = 792.0;
    const MARGIN: f32 = 54.0;
    let regular = Name(b"F1");
    let bold = Name(b"F2");
    // (font, size, leading, space before, indent) per block kind.
    let style = |b: &Block| match b {
        Block::Title(_) => (bold, 16.0, 20.0, 0.0, 0.0),
        Block::Heading(_) => (bold, 12.0, 16.0, 10.0, 0.0),
        Block::Item(_) => (regular, 10.0, 13.0, 2.0, 12.0),
        Block::Text(_) => (regular, 10.0, 13.0, 2.0, 0.0),
    };
    let mut pages: Vec<Content> = Vec::new();
    let mut page = Content::new();
    let mut y = H - MARGIN;
    for b in blocks {
        let (font, size, leading, before, indent) = style(b);
        let text = match b {
            Block::Title(t) | Block::Heading(t) | Block::Text(t) => t.clone(),
            Block::Item(t) => format!("• {t}"),
        };
        let lines = wrap(&text, size, W - 2.0 * MARGIN - indent);
        // A heading never ends a page alone.
        let needed = before
            + leading
                * if matches!(b, Block::Heading(_)) {
                    3.0
                } else {
                    1.0
                };
        y -= before;
        if y - needed < MARGIN {
            pages.push(std::mem::replace(&mut page, Content::new()));
            y = H - MARGIN;
        }
        for (n, line) in lines.iter().enumerate() {
            if y - leading < MARGIN {
                pages.push(std::mem::replace(&mut page, Content::new()));
                y = H - MARGIN;
            }
            y -= leading;
            let hang = if n > 0 && matches!(b, Block::Item(_)) {
                8.0
            } else {
                0.0
            };
            page.begin_text();
            page.set_font(font, size);
            page.next_line(MARGIN + indent + hang, y);
            page.show(Str(&win_ansi(line)));
            page.end_text();
        }
    }
    pages.push(page);

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let (f1, f2) = (Ref::new(3), Ref::new(4));
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(5 + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(f1)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(f2)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    for (i, content) in pages.into_iter().enumerate() {
        let id = page_ids[i];
        let content_id = Ref::new(id.get() + 1);
        let mut p = pdf.page(id);
        p.media_box(Rect::new(0.0, 0.0, W, H));
        p.parent(tree);
        p.contents(content_id);
        let mut res = p.resources();
        let mut fonts = res.fonts();
        fonts.pair(regular, f1);
        fonts.pair(bold, f2);
        fonts.finish();
        res.finish();
        p.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_lists_are_closed() {
        let doc = html(&[
            Block::Title("A <b>".into()),
            Block::Item("x & y".into()),
            Block::Text("z".into()),
        ]);
        assert!(doc.contains("<h1>A &lt;b&gt;</h1><ul><li>x &amp; y</li></ul><p>z</p>"));
    }

    #[test]
    fn lines_wrap_at_words() {
        let lines = wrap(
            "one two three four five six seven eight nine ten",
            10.0,
            100.0,
        );
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(
            lines.join(" "),
            "one two three four five six seven eight nine ten"
        );
    }

    #[test]
    fn a_long_summary_is_a_pdf_of_several_pages() {
        let blocks: Vec<Block> = (0..200)
            .map(|i| Block::Item(format!("Entry {i}: 5.9%")))
            .collect();
        let pdf = pdf(&blocks);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        let count: u32 = text
            .split("/Count ")
            .nth(1)
            .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(count >= 3, "{count} pages");
        // Text with a bullet (not ASCII) is written as hex: "5.9%" is 35 2e 39 25.
        assert!(text.to_lowercase().contains("352e3925"));
        assert_eq!(win_ansi("a–b·c"), vec![b'a', 0x96, b'b', 0xb7, b'c']);
    }
}
