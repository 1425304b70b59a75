// Subcommands on the data directory as a whole (init) and on the configuration (config).
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_common.h"

namespace jiebang::cli {

void add_data_commands(CLI::App& app, const Globals& g, int& exit_code) {
  auto* init = app.add_subcommand(
      "init", "Create a data directory (parents too) with an empty store and index; other commands refuse a missing one");
  init->footer("The data directory is --data-dir, else $JIEBANG_DATA_DIR, else ./var. Running init on a directory that\n"
               "already holds a store changes nothing.");
  init->callback([&g, &exit_code] {
    Globals creating = g;
    creating.create = true;
    std::error_code ec;
    bool had_store = std::filesystem::exists(make_config(g).data_dir + "/jiebang.sqlite3", ec);
    auto svc = open_service(creating, exit_code);
    if (!svc) return;
    auto s = svc->state();
    if (!s) {
      exit_code = fail(s.status());
      return;
    }
    if (had_store)
      fmt::print("{}: already a jiebang data directory ({} scenarios, {} enterprises); nothing changed\n",
                 svc->config().data_dir, s->scenarios, s->enterprises);
    else
      fmt::print("{}: initialised (an empty store and index)\n", svc->config().data_dir);
  });
}

void add_config_command(CLI::App& app, const Globals& g, int& /*exit_code*/) {
  auto* config = app.add_subcommand("config", "Print the effective configuration and where each value came from");
  config->footer(
      "Layers: defaults < configuration file < environment < flags. The file is TOML, named by --config or\n"
      "$JIEBANG_CONFIG, else /etc/jiebang/jiebang.toml when it exists (the .deb installs it; another default\n"
      "path: $JIEBANG_SYSTEM_CONFIG, empty for none); its keys are the names below ([serve] and [digest] are\n"
      "tables). Each key's environment variable is JIEBANG_ and the key upper-cased with '.' as '_'\n"
      "(JIEBANG_DATA_DIR, JIEBANG_SERVE_LISTEN). An unknown key or a value of the wrong type is refused\n"
      "naming the file, line and key (exit 2).");
  static bool as_json = false;
  config->add_flag("--json", as_json,
                   "Print {file, file_from, default_file, settings: {key: {value, source, env}}} as JSON");
  config->callback([&g] {
    Settings s = *g.settings;
    if (!g.data_dir.empty()) s.set_from_flag("data_dir", g.data_dir, "--data-dir");
    if (!g.index_dir.empty()) s.set_from_flag("index_dir", g.index_dir, "--index-dir");
    if (!g.weights.empty()) s.set_from_flag("weights", g.weights, "--weights");
    if (as_json) {
      nlohmann::json j = s.to_json();
      j["default_file"] = g.default_config;
      fmt::print("{}\n", j.dump());
      return;
    }
    std::string none = g.default_config.empty() ? "none (no default path)"
                                                : "none (the default " + g.default_config + " does not exist)";
    fmt::print("# configuration file: {}\n", s.file().empty() ? none : s.file() + " (from " + s.file_from() + ")");
    for (const auto& spec : setting_specs()) {
      const auto& v = s.get(spec.key);
      std::string shown = spec.type == SettingType::kString ? nlohmann::json(v.text).dump() : v.text;
      fmt::print("{:<26} = {:<32} # {}\n", spec.key, shown, v.source);
    }
  });
}

}  // namespace jiebang::cli
