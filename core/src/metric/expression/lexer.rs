//! Splits an expression's text into tokens, each with the column where it starts.
//!
//! lago-expression's grammar skips only plain spaces between tokens: a tab or a line break outside a
//! quoted text is a syntax error there, so it is one here too. A text is quoted with `'` and has no
//! escapes (it cannot contain `'`). A word is a function name or a whole variable such as
//! `event.properties.qty`, which may not contain spaces.

/// What a token is; slices borrow from the expression's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind<'a> {
    /// Digits with an optional fraction: `12`, `0.5`.
    Number(&'a str),
    /// The inside of a quoted text, without the quotes.
    Text(&'a str),
    /// A letter followed by letters, digits, `_` and `.`: a function name or a variable.
    Word(&'a str),
    Plus,
    Minus,
    Star,
    Slash,
    Open,
    Close,
    Comma,
    /// A character no token starts with; the text ends here.
    Unexpected(char),
    /// A quoted text without its closing `'`; the text ends here.
    Unclosed,
    End,
}

/// A token and the 1-based column (in characters) where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token<'a> {
    pub kind: TokenKind<'a>,
    pub column: usize,
}

impl TokenKind<'_> {
    /// How an error message shows the token.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Number(text) | TokenKind::Word(text) => format!("`{text}`"),
            TokenKind::Text(text) => format!("'{text}'"),
            TokenKind::Plus => "`+`".to_owned(),
            TokenKind::Minus => "`-`".to_owned(),
            TokenKind::Star => "`*`".to_owned(),
            TokenKind::Slash => "`/`".to_owned(),
            TokenKind::Open => "`(`".to_owned(),
            TokenKind::Close => "`)`".to_owned(),
            TokenKind::Comma => "`,`".to_owned(),
            TokenKind::Unexpected(c) => format!("the character {c:?}"),
            TokenKind::Unclosed => "a quoted text without its closing `'`".to_owned(),
            TokenKind::End => "the end of the expression".to_owned(),
        }
    }
}

/// Splits `text` into tokens ending with [`TokenKind::End`], or with [`TokenKind::Unexpected`] or
/// [`TokenKind::Unclosed`] where the text stops making tokens. The parser reports these where it
/// meets them, so an error earlier in the text is reported first.
pub(super) fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut cursor = Cursor {
        chars: text.char_indices().peekable(),
        column: 0,
    };
    let mut tokens = Vec::new();
    while let Some((start, c)) = cursor.next() {
        let column = cursor.column;
        let kind = match c {
            ' ' => continue,
            '+' => TokenKind::Plus,
            '-' => TokenKind::Minus,
            '*' => TokenKind::Star,
            '/' => TokenKind::Slash,
            '(' => TokenKind::Open,
            ')' => TokenKind::Close,
            ',' => TokenKind::Comma,
            '\'' => {
                let end = cursor.skip_while(start + 1, |next| next != '\'');
                if cursor.next().is_none() {
                    tokens.push(Token {
                        kind: TokenKind::Unclosed,
                        column,
                    });
                    return tokens;
                }
                TokenKind::Text(&text[start + 1..end])
            }
            '0'..='9' => {
                let mut end = cursor.skip_while(start + 1, |next| next.is_ascii_digit());
                // A fraction needs a digit after the point; `1.` leaves the point to the next token.
                if text[end..].starts_with('.')
                    && text[end + 1..].starts_with(|d: char| d.is_ascii_digit())
                {
                    cursor.next();
                    end = cursor.skip_while(end + 1, |next| next.is_ascii_digit());
                }
                TokenKind::Number(&text[start..end])
            }
            c if c.is_ascii_alphabetic() => {
                let end = cursor.skip_while(start + 1, |next| {
                    next.is_ascii_alphanumeric() || next == '_' || next == '.'
                });
                TokenKind::Word(&text[start..end])
            }
            other => {
                tokens.push(Token {
                    kind: TokenKind::Unexpected(other),
                    column,
                });
                return tokens;
            }
        };
        tokens.push(Token { kind, column });
    }
    tokens.push(Token {
        kind: TokenKind::End,
        column: cursor.column + 1,
    });
    tokens
}

/// Walks the characters of the text, counting columns.
struct Cursor<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    /// The column of the character last returned.
    column: usize,
}

impl Cursor<'_> {
    fn next(&mut self) -> Option<(usize, char)> {
        let next = self.chars.next();
        self.column += usize::from(next.is_some());
        next
    }

    /// Skips the characters that `keep` accepts; returns the byte offset after the last one skipped
    /// (`end` when none is).
    fn skip_while(&mut self, mut end: usize, keep: fn(char) -> bool) -> usize {
        while let Some(&(at, c)) = self.chars.peek() {
            if !keep(c) {
                return at;
            }
            self.next();
            end = at + c.len_utf8();
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::TokenKind::*;
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind<'_>> {
        tokenize(text).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn splits_numbers_words_texts_and_symbols() {
        assert_eq!(
            kinds("ROUND(event.properties.a_1 * 2.50, -1) + 'x y'"),
            vec![
                Word("ROUND"),
                Open,
                Word("event.properties.a_1"),
                Star,
                Number("2.50"),
                Comma,
                Minus,
                Number("1"),
                Close,
                Plus,
                Text("x y"),
                End
            ]
        );
    }

    #[test]
    fn a_point_without_a_digit_after_it_is_not_part_of_the_number() {
        assert_eq!(kinds("1."), vec![Number("1"), Unexpected('.')]);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let columns: Vec<usize> = tokenize("'é' + 1").iter().map(|t| t.column).collect();
        // 'é' spans columns 1..=3, `+` is at 5, `1` at 7, the end just after it at 8.
        assert_eq!(columns, vec![1, 5, 7, 8]);
    }

    #[test]
    fn only_plain_spaces_separate_tokens() {
        assert_eq!(kinds("1 +\t2"), vec![Number("1"), Plus, Unexpected('\t')]);
    }

    #[test]
    fn an_unclosed_text_stops_where_it_opens() {
        let tokens = tokenize("CONCAT('a', 'b)");
        assert_eq!(
            tokens.last(),
            Some(&Token {
                kind: Unclosed,
                column: 13
            })
        );
    }
}
