// Subcommands backup and restore: an online copy of a data directory's store, and its checked return.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "jiebang/service/backup.h"

namespace jiebang::cli {
namespace {

using nlohmann::json;

int64_t rows(const BackupManifest& m, const char* table) {
  auto it = m.rows.find(table);
  return it == m.rows.end() ? 0 : it->second;
}

std::string counts_line(const BackupManifest& m) {
  return fmt::format("{} scenarios, {} enterprises, {} matches ({} events), {} API keys, change seq {}",
                     rows(m, "scenarios"), rows(m, "enterprises"), rows(m, "matches"), rows(m, "match_events"),
                     rows(m, "api_keys"), m.last_change_seq);
}

}  // namespace

void add_backup_commands(CLI::App& app, const Globals& g, int& exit_code) {
  auto* backup = app.add_subcommand(
      "backup", "Back up the data directory's store into DEST (a new or empty directory), also while serve runs");
  backup->footer(
      "An online, consistent copy of the store (SQLite's backup API; writers are not blocked) as\n"
      "DEST/jiebang.sqlite3, and DEST/manifest.json (versions, time, row counts, size and SHA-256 of the copy),\n"
      "written last. The search index is not copied: it is derived from the store, and restore rebuilds it.");
  static std::string dest, src;
  static bool as_json = false, force = false;
  backup->add_option("DEST", dest, "Backup directory to create (it must not exist, or be empty)")->required();
  backup->add_flag("--json", as_json, "Print the manifest as JSON");
  backup->callback([&g, &exit_code] {
    ServiceConfig config = make_config(g);
    Globals existing = g;
    existing.create = false;  // backing up a directory that is not there is a mistake, never a reason to make one
    if (Status st = check_data_dir(existing, config); !st) {
      exit_code = fail(st);
      return;
    }
    auto m = backup_data_dir(config.data_dir, dest, progress_printer());
    if (!m) {
      exit_code = fail(m.status());
      return;
    }
    if (as_json) {
      fmt::print("{}\n", m->to_json().dump());
      return;
    }
    fmt::print("backed up {} to {} ({:.1f} s): {}; store {} bytes, SHA-256 {}\n", config.data_dir, dest, m->seconds,
               counts_line(*m), m->store_bytes, m->store_sha256);
    fmt::print("(the search index is not copied: `jiebang restore` rebuilds it from the store)\n");
  });

  auto* restore = app.add_subcommand(
      "restore", "Restore a backup (made by backup) into the data directory, which must be new or empty; rebuilds the index");
  restore->footer(
      "Checks SRC/manifest.json and the store's size and SHA-256 against it, copies the store with SQLite's\n"
      "backup API, checks the row counts, then rebuilds the search index from the store. Stop `jiebang serve`\n"
      "on the data directory first. With --force a non-empty data directory's store and index/ are replaced.");
  restore->add_option("SRC", src, "Backup directory (holding manifest.json and jiebang.sqlite3)")->required();
  restore->add_flag("--force", force, "Replace the store and index of a data directory that is not empty");
  restore->add_flag("--json", as_json, "Print {data_dir, manifest, restored: {counts}, seconds} as JSON");
  restore->callback([&g, &exit_code] {
    ServiceConfig config = make_config(g);
    auto r = restore_data_dir(src, config, force, progress_printer());
    if (!r) {
      exit_code = fail(r.status());
      return;
    }
    const auto& s = r->state;
    if (as_json) {
      fmt::print("{}\n", json{{"data_dir", config.data_dir},
                              {"manifest", r->manifest.to_json()},
                              {"restored",
                               {{"scenarios", s.scenarios},
                                {"enterprises", s.enterprises},
                                {"store_seq", s.store_seq},
                                {"indexed_scenarios", s.indexed_scenarios},
                                {"indexed_enterprises", s.indexed_enterprises}}},
                              {"seconds", r->seconds}}
                             .dump());
      return;
    }
    fmt::print("restored {} (backup of {} taken {}) into {} ({:.1f} s): {}\n", src, r->manifest.source_data_dir,
               r->manifest.created_at, config.data_dir, r->seconds, counts_line(r->manifest));
    fmt::print("index rebuilt: {} scenarios, {} enterprises\n", s.indexed_scenarios, s.indexed_enterprises);
  });
}

}  // namespace jiebang::cli
