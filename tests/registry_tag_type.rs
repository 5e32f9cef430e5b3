//! `Tag` behaves as its string, however it was made: equality, order, hashing (a
//! `HashMap<Tag, _>` searched with a `&str`) and printing are the string's.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use tidings::{Registry, Tag};

/// Short and long names, the empty one and multi-byte characters included.
fn names() -> Vec<String> {
    let mut names: Vec<String> = (0..=30).map(|n| "x".repeat(n)).collect();
    names.extend([
        "é".repeat(11),
        "é".repeat(12),
        "日本語のタグ".into(),
        "a-b".into(),
        "a-c".into(),
    ]);
    names
}

#[test]
fn a_tag_equals_its_string_however_it_was_made() {
    for name in names() {
        let made = [
            Tag::new(&name),
            Tag::from(name.as_str()),
            Tag::from(name.clone()),
            Tag::from(&name),
            Tag::from(Arc::<str>::from(name.as_str())),
        ];
        for tag in &made {
            assert_eq!(tag.as_str(), name);
            assert_eq!(*tag, *name);
            assert_eq!(*tag, name);
            assert_eq!(name, *tag);
            assert_eq!(tag.to_string(), name);
            assert_eq!(format!("{tag:?}"), format!("{name:?}"));
            assert_eq!(tag.clone(), made[0]);
            assert_eq!(&**tag, name.as_str());
        }
    }
}

#[test]
fn order_and_hash_are_the_strings() {
    let names = names();
    let tags: BTreeSet<Tag> = names.iter().map(|n| Tag::from(n.as_str())).collect();
    let strings: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let ordered: Vec<&str> = tags.iter().map(Tag::as_str).collect();
    assert_eq!(ordered, strings.into_iter().collect::<Vec<_>>());

    let map: HashMap<Tag, usize> =
        names.iter().enumerate().map(|(i, n)| (Tag::new(n), i)).collect();
    for (i, name) in names.iter().enumerate() {
        assert_eq!(map.get(name.as_str()), Some(&i), "{name}");
    }
}

#[test]
fn long_and_short_tags_work_in_a_registry() {
    let reg = Registry::new();
    for name in names() {
        reg.send(&name, name.len()).unwrap();
    }
    for name in names() {
        let (tag, len) = reg.receive(&name).wait().unwrap();
        assert_eq!((tag.as_str(), len), (name.as_str(), name.len()));
    }
}
