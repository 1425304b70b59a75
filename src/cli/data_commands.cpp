// Subcommands on the data directory as a whole: init.
#include <filesystem>

#include <fmt/format.h>

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

}  // namespace jiebang::cli
