// Internal: usage errors of the command line — what was wrong, in which command, and the closest valid word.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace jiebang::cli {

/// Optimal string alignment distance between `a` and `b`: insertions, deletions, substitutions and
/// transpositions of adjacent bytes each cost 1 (Damerau 1964; Boytsov 2011, "restricted" edit
/// distance). Bytes, not characters: command and option names are ASCII. O(|a|·|b|) time.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate that `typed` most likely misspells, or "" when none is close: the smallest edit
/// distance, allowed up to 1 for names of up to 4 bytes, 2 up to 8 and 3 beyond (the candidate's
/// length); otherwise the only candidate that `typed` is a prefix of. Ties go to the first candidate.
std::string closest_match(std::string_view typed, const std::vector<std::string>& candidates);

/// Prints a parse error of `app` (the root command) on stderr as "jiebang <command>: error: …",
/// naming the command it happened in and the unknown command, option or argument, with "did you
/// mean …" when one is close; --help and --version print to stdout. Call after app.parse() threw.
/// Returns the exit status: 0 for --help/--version, 2 for every usage error.
int report_parse_error(CLI::App& app, const CLI::ParseError& e);

/// The heading of the root's options that every command accepts (before or after the command).
inline constexpr const char* kGlobalOptionsGroup = "Global options (before or after the command)";

/// Makes every subcommand's --help (at any depth) list the global options — the root's options in
/// the group kGlobalOptionsGroup, with their descriptions — and end with the root's footer (settings
/// order, exit codes) after its own. Call once, after every subcommand and global option is added;
/// the help text reads the options when printed, so later descriptions are shown as they are then.
void document_global_options(CLI::App& root);

}  // namespace jiebang::cli
