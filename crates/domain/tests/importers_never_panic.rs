//! Property tests of the importers: for arbitrary input — random bytes and
//! random damage to valid files (bytes flipped, lines dropped, duplicated
//! or swapped, cut short, odd unicode spliced in) — the YAML/JSON framework
//! reader and the CSV reader never panic, and every refusal is a list of
//! problems each with a message. Deterministic: a fixed seed per run, so a
//! failure reproduces; the case that failed is printed.

use cairn_domain::file::{self, Format};
use cairn_domain::gruuv_csv;

const DEMO: &str = include_str!("../../../demo/fernhill.yaml");
const CSV: &str = "Name,Description,Milestone 1 Description,Milestone 2 Description,Milestone 3 Description,Milestone 4 Description,Milestone 5 Description\n\
Ops Skill,\"Runs things, *well*.\",\"Follows runbooks\nAsks for help\",Owns a service,Leads incidents,Shapes on-call,Sets direction\n\
Writing,Clear docs.,Writes notes,Writes guides,Edits others,Teaches writing,Sets the standard\n";

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SPLICES: &[&str] = &[
    "\u{202e}",
    "\u{0}",
    "\u{feff}",
    "💥",
    "\t",
    "\r\n",
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    "&a",
    "*a",
    "!!binary",
    "<<: *a",
    "---",
    "...",
    "%YAML 1.2",
    "? ",
    "|",
    ">",
    "#",
    ",",
    "\"\"",
    "\\u0000",
    "1e999",
    "-9223372036854775809",
    "<script>alert(1)</script>",
    "level: 6",
    "level: 0",
    "slug: A B",
];

fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut lines: Vec<String> = base.lines().map(str::to_owned).collect();
    for _ in 0..=rng.below(4) {
        if lines.is_empty() {
            break;
        }
        let i = rng.below(lines.len());
        match rng.below(7) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            3 => {
                let mut chars: Vec<char> = lines[i].chars().collect();
                let at = rng.below(chars.len() + 1);
                let s = SPLICES[rng.below(SPLICES.len())];
                for (k, c) in s.chars().enumerate() {
                    chars.insert(at + k, c);
                }
                lines[i] = chars.into_iter().collect();
            }
            4 => {
                let keep = rng.below(lines[i].chars().count() + 1);
                lines[i] = lines[i].chars().take(keep).collect();
            }
            5 => {
                let mut bytes = lines[i].clone().into_bytes();
                if !bytes.is_empty() {
                    let at = rng.below(bytes.len());
                    bytes[at] ^= 1 << rng.below(7);
                }
                lines[i] = String::from_utf8_lossy(&bytes).into_owned();
            }
            _ => lines.truncate(i),
        }
    }
    lines.join(if rng.below(5) == 0 { "\r\n" } else { "\n" })
}

fn random_text(rng: &mut Rng) -> String {
    let len = rng.below(400);
    (0..len)
        .map(|_| match rng.below(4) {
            0 => SPLICES[rng.below(SPLICES.len())].to_owned(),
            1 => char::from_u32(rng.below(0x2_0000) as u32)
                .unwrap_or('?')
                .to_string(),
            _ => ((b' ' + rng.below(95) as u8) as char).to_string(),
        })
        .collect()
}

fn problems_are_clear(problems: &[file::FileProblem], case: &str) {
    assert!(!problems.is_empty(), "refused without a problem:\n{case}");
    for p in problems {
        assert!(
            !p.message.trim().is_empty(),
            "a problem without a message:\n{case}"
        );
    }
}

#[test]
fn framework_files_never_panic_and_always_explain() {
    let demo_json =
        file::write(&file::parse(DEMO).expect("demo parses"), Format::Json).expect("json");
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let (mut accepted, mut refused, mut located) = (0, 0, 0);
    const CASES: usize = 1500;
    for n in 0..CASES {
        let case = match n % 3 {
            0 => mutate(&mut rng, DEMO),
            1 => mutate(&mut rng, &demo_json),
            _ => random_text(&mut rng),
        };
        match file::parse(&case) {
            Ok(_) => accepted += 1,
            Err(problems) => {
                problems_are_clear(&problems, &case);
                refused += 1;
                located += usize::from(problems.iter().all(|p| p.line > 0));
            }
        }
    }
    println!(
        "framework files: {CASES} cases, {accepted} accepted, {refused} refused ({located} with every problem at a line)"
    );
    assert!(refused > CASES / 2, "the damage must mostly be caught");
}

#[test]
fn csv_files_never_panic_and_always_explain() {
    let mut rng = Rng(0xc5f0_1234_abcd_9876);
    let (mut accepted, mut refused) = (0, 0);
    const CASES: usize = 1500;
    for n in 0..CASES {
        let case = if n % 2 == 0 {
            mutate(&mut rng, CSV)
        } else {
            random_text(&mut rng)
        };
        match gruuv_csv::parse(&case) {
            Ok(_) => accepted += 1,
            Err(problems) => {
                problems_are_clear(&problems, &case);
                refused += 1;
            }
        }
    }
    println!("CSV files: {CASES} cases, {accepted} accepted, {refused} refused");
    assert!(accepted > 0 && refused > 0);
}
