// Usage errors of the command line: unknown commands and options answered with the closest valid one.
#include "usage.h"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <utility>

#include <fmt/format.h>

namespace jiebang::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  // Three rows: two back for the transposition, one back, the current one.
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  std::iota(prev.begin(), prev.end(), std::size_t{0});
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::string closest_match(std::string_view typed, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = SIZE_MAX;
  for (const auto& c : candidates) {
    std::size_t allowed = c.size() <= 4 ? 1 : c.size() <= 8 ? 2 : 3;
    std::size_t d = edit_distance(typed, c);
    if (d <= allowed && d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (!best.empty() || typed.empty() || typed == "-" || typed == "--") return best;
  std::string prefixed;
  for (const auto& c : candidates)
    if (c.size() > typed.size() && c.compare(0, typed.size(), typed) == 0) {
      if (!prefixed.empty()) return "";  // ambiguous
      prefixed = c;
    }
  return prefixed;
}

namespace {

/// "jiebang", "jiebang search", "jiebang keys create".
std::string command_path(const CLI::App* at) {
  std::vector<std::string> names;
  for (const CLI::App* a = at; a != nullptr; a = a->get_parent()) names.push_back(a->get_parent() ? a->get_name() : "jiebang");
  std::reverse(names.begin(), names.end());
  std::string path;
  for (const auto& n : names) path += (path.empty() ? "" : " ") + n;
  return path;
}

/// The options `at` accepts: its own and, since global options may follow the subcommand, its parents'.
std::vector<std::string> option_names(const CLI::App* at) {
  std::vector<std::string> names;
  for (const CLI::App* a = at; a != nullptr; a = a->get_parent())
    for (const CLI::Option* o : a->get_options()) {
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
  return names;
}

std::vector<std::string> subcommand_names(CLI::App* at) {
  std::vector<std::string> names;
  for (const CLI::App* s : at->get_subcommands([](CLI::App*) { return true; }))
    if (!s->get_name().empty()) names.push_back(s->get_name());
  return names;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

bool looks_like_option(const std::string& arg) { return arg.size() > 1 && arg[0] == '-' && !std::isdigit(static_cast<unsigned char>(arg[1])); }

}  // namespace

void document_global_options(CLI::App& root) {
  std::vector<CLI::App*> pending = root.get_subcommands([](CLI::App*) { return true; });
  while (!pending.empty()) {
    CLI::App* sub = pending.back();
    pending.pop_back();
    for (CLI::App* s : sub->get_subcommands([](CLI::App*) { return true; })) pending.push_back(s);
    // CLI11 prints footer_callback() + "\n" + footer: the global options, then the root's footer
    // when the command has a footer of its own (a subcommand inherits the root's otherwise).
    bool own_footer = sub->get_footer() != root.get_footer();
    sub->footer([&root, own_footer] {
      auto opts = std::as_const(root).get_options([](const CLI::Option* o) { return o->get_group() == kGlobalOptionsGroup; });
      auto formatter = std::dynamic_pointer_cast<CLI::Formatter>(root.get_formatter());
      std::string text = (formatter ? *formatter : CLI::Formatter()).make_group(kGlobalOptionsGroup, false, opts);
      if (text.starts_with('\n')) text.erase(0, 1);  // the help puts a blank line before its footer
      if (own_footer) text += "\n" + root.get_footer() + "\n";
      return text;
    });
  }
}

int report_parse_error(CLI::App& app, const CLI::ParseError& e) {
  if (dynamic_cast<const CLI::CallForHelp*>(&e) || dynamic_cast<const CLI::CallForAllHelp*>(&e) ||
      dynamic_cast<const CLI::CallForVersion*>(&e))
    return app.exit(e);

  // The command the error happened in: the deepest subcommand given.
  CLI::App* at = &app;
  for (auto subs = at->get_subcommands(); !subs.empty(); subs = at->get_subcommands()) at = subs.front();
  const std::string where = command_path(at);
  const std::string help = fmt::format("\"{} --help\"", where);

  // What was left over, in the order given (CLI11 keeps the root's missing arguments reversed only
  // in ExtrasError's text, remaining() is in order).
  std::vector<std::string> rest = app.remaining(true);
  std::string message;
  auto unknown_option = std::find_if(rest.begin(), rest.end(), looks_like_option);
  bool wants_command = at->get_require_subcommand_min() > 0 && at->get_subcommands().empty();
  if (wants_command && !rest.empty() && !looks_like_option(rest.front())) {
    // An unknown command first: the options after it are the intended command's.
    std::string guess = closest_match(rest.front(), subcommand_names(at));
    message = guess.empty() ? fmt::format("unknown command \"{}\"; the commands are: {}", rest.front(), join(subcommand_names(at)))
                            : fmt::format("unknown command \"{}\"; did you mean \"{}\"?", rest.front(), guess);
  } else if (unknown_option != rest.end()) {
    std::string name = unknown_option->substr(0, unknown_option->find('='));
    std::string guess = closest_match(name, option_names(at));
    message = guess.empty() ? fmt::format("unknown option \"{}\"; {} lists the options", name, help)
                            : fmt::format("unknown option \"{}\"; did you mean \"{}\"?", name, guess);
  } else if (wants_command) {
    message = fmt::format("a command is required: {}", join(subcommand_names(at)));
  } else if (dynamic_cast<const CLI::ExtrasError*>(&e) && !rest.empty()) {
    message = fmt::format("unexpected argument \"{}\" (quote a value that has spaces; {} lists the arguments)",
                          rest.front(), help);
  } else {
    std::string what = e.what();
    if (what.rfind(at->get_name() + ": ", 0) == 0) what.erase(0, at->get_name().size() + 2);  // named already
    message = fmt::format("{}; see {}", what, help);
  }
  fmt::print(stderr, "{}: error: {}\n", where, message);
  return 2;
}

}  // namespace jiebang::cli
