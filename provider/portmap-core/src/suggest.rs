//! "Did you mean ...?" suggestions for mistyped ids.

/// The candidate closest to `input` by edit distance, if it is close enough
/// to be a plausible typo.
pub fn nearest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let input_l = input.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let c_l = c.to_lowercase();
        let d = if c_l.contains(&input_l) || input_l.contains(&c_l) {
            // A prefix or part of the id ("master" for "master-stack").
            c_l.len().abs_diff(input_l.len()).min(2)
        } else {
            distance(&input_l, &c_l)
        };
        if best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    let limit = (input.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

/// " Did you mean \"x\"?" or the empty string.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    match nearest(input, candidates) {
        Some(c) => format!(" Did you mean \"{c}\"?"),
        None => String::new(),
    }
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_ids_only() {
        let ids = ["master-stack", "response-stack", "sql-server", "client"];
        assert_eq!(nearest("master-stak", ids), Some("master-stack"));
        assert_eq!(nearest("responce-stack", ids), Some("response-stack"));
        assert_eq!(nearest("master", ids), Some("master-stack"));
        assert_eq!(nearest("clients", ids), Some("client"));
        assert_eq!(nearest("kubernetes", ids), None);
        assert_eq!(
            did_you_mean("sql-srever", ids),
            " Did you mean \"sql-server\"?"
        );
    }

    #[test]
    fn distance_is_levenshtein() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
