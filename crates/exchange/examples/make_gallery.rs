//! Writes sheets of the test gallery (`tests/common/gallery.rs`) to a folder, to open them
//! in Excel or LibreOffice or to try `konsekvens import sheet --explain` on:
//!
//!     cargo run -p konsekvens-exchange --example make_gallery -- /tmp/gallery

#[path = "../tests/common/gallery.rs"]
mod gallery;

use gallery::*;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "gallery".into()));
    std::fs::create_dir_all(&dir).expect("create the folder");
    let header = &["Ref.", "Trussel", "F/I/T", "Konsekvens", "Begrundelse", "Sandsynlighed", "Begrundelse", "Foranstaltninger", "Ansvarlig", "Status", "Frist"];
    let rows = |g: Grid| {
        g.text(&["T1", T1, "F", "Ødelæggende", "Barnet kan skades varigt", "Forventet", "Sker ugentligt", "Advarsel ved mange modtagere", "KOMBIT", "Gennemført", ""])
            .text(&["T1", T1, "I", "Begrænset", "Indholdet ændres ikke", "Mulig", "Sjældent", "", "", "", ""])
            .text(&["T2", T2, "F", "Meget alvorlig", "Helbredsoplysninger ses", "Sandsynlig", "Markering glemmes", "Markering af følsomme beskeder", "KOMBIT", "Planlagt", "30.06.2027"])
            .text(&["T3", T3, "F, I", "Meget alvorlig", "Uvedkommende læser tråde", "Sandsynlig", "Mange manuelle grupper", "Automatisk gruppeopdatering", "Kommunen", "Gennemført", ""])
            .text(&["T4", T4, "F", "Alvorlig", "Søskende ser beskeder", "Mulig", "Delte tablets er almindelige", "Ingen", "", "", ""])
    };
    let sheets = [
        ("netcompany-beskeder", Kind::Xlsx, rows(title_block(Grid::new("Beskeder"), "Netcompany A/S", "2.1").text(header)).text(&["Kilde: KOMBIT, trusselskatalog 2026"])),
        ("leverandoer-risici", Kind::Csv1252, rows(title_block(Grid::new("x"), "Systematic A/S", "3,0").text(header))),
        ("beskeder-unicode", Kind::Utf16Txt, rows(Grid::new("x").text(header))),
    ];
    for (name, kind, grid) in sheets {
        let path = dir.join(format!("{name}.{}", extension(kind)));
        std::fs::write(&path, bytes(kind, &[grid])).expect("write the sheet");
        println!("{}", path.display());
    }
}
