//! Avatars for connected accounts, generated here so a browser can show them offline.

/// A round SVG badge with the display name's initials on a colour derived from the id.
pub(crate) fn svg(account_id: &str, display_name: &str) -> String {
    let hue = account_id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 360;
    let initials: String = display_name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_alphanumeric)
        .take(2)
        .collect::<String>()
        .to_uppercase();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"96\" viewBox=\"0 0 96 96\" \
         role=\"img\" aria-label=\"{initials}\">\
         <circle cx=\"48\" cy=\"48\" r=\"48\" fill=\"hsl({hue},55%,42%)\"/>\
         <text x=\"48\" y=\"48\" dy=\".35em\" text-anchor=\"middle\" font-family=\"system-ui,sans-serif\" \
         font-size=\"38\" font-weight=\"600\" fill=\"#fff\">{initials}</text></svg>"
    )
}
