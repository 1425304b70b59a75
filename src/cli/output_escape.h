// The CLI's output rule: what jiebang prints never carries raw control characters or bidi overrides.
#pragma once

#include <cstdio>

namespace jiebang::cli {

/// Replaces the process's stdout and stderr by filters that write every character refused by
/// find_forbidden_char (C0 controls other than tab/LF/CR, DEL, C1, bidi overrides and isolates)
/// as the text "\uXXXX": a record's ESC sequence cannot drive the terminal, an RLO cannot reorder
/// a line, and inside JSON output the escape is the same character (valid JSON). Call once, at
/// the start of run(), before any output; not thread-safe against concurrent output.
void install_output_escaping();

/// The unfiltered stderr, for the CLI's own terminal controls (the progress bar's "\r\033[K").
FILE* raw_stderr();

}  // namespace jiebang::cli
