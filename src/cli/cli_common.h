// Internal: what the CLI's subcommand files share (global options, service opening, progress, errors).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "config_file.h"
#include "jiebang/service/service.h"

namespace jiebang::cli {

/// Options of every command (before or after the subcommand).
struct Globals {
  std::string data_dir;   ///< --data-dir as given ("" when not: then the settings' data_dir)
  std::string index_dir;  ///< --index-dir as given
  std::string weights;    ///< --weights as given
  /// The configuration file and environment under the flags (loaded before parsing).
  const Settings* settings = nullptr;
  /// --create: make a missing data directory (and its parents) instead of refusing it.
  bool create = false;
  /// The default configuration file's path (read when it exists and no other file is named):
  /// $JIEBANG_SYSTEM_CONFIG, else /etc/jiebang/jiebang.toml (the build's JIEBANG_SYSTEM_CONFIG); "" = none.
  std::string default_config;
};

/// Progress on stderr: a rewritten line on a terminal, a plain line every few seconds otherwise.
ProgressFn progress_printer();
/// Defaults < configuration file < environment (JIEBANG_DATA_DIR, …) < flags.
ServiceConfig make_config(const Globals& g);
/// Where the data directory came from: "--data-dir", "JIEBANG_DATA_DIR", "<file>:<line>" or "the default".
std::string data_dir_source(const Globals& g);
/// Prints "jiebang: error: <code>: <message>" on stderr; returns exit status 1.
int fail(const Status& st);
/// Checks that the data directory of `config` exists (creating it, parents too, when `g.create`).
/// Errors: kNotFound when missing (the message names the directory, where it came from — --data-dir,
/// JIEBANG_DATA_DIR or the default — and suggests `jiebang init` or --create); kInvalidArgument when
/// the path is not a directory; kUnavailable when it cannot be created.
Status check_data_dir(const Globals& g, const ServiceConfig& config);
/// Opens the service on an existing data directory (see check_data_dir); on failure prints the
/// error, sets `exit_code` and returns null.
std::unique_ptr<Service> open_service(const Globals& g, int& exit_code);

/// Adds `init` (create a data directory with its store and index).
void add_data_commands(CLI::App& app, const Globals& g, int& exit_code);

/// Adds `config` (the effective configuration and where each value came from).
void add_config_command(CLI::App& app, const Globals& g, int& exit_code);
/// Adds `backup DEST` and `restore SRC` (src/cli/backup_commands.cpp).
void add_backup_commands(CLI::App& app, const Globals& g, int& exit_code);

/// Adds `matches …` and `funnel` (the loop per match) to the app.
void add_match_commands(CLI::App& app, const Globals& g, int& exit_code);
/// Adds `digest` (the weekly match digest).
void add_digest_commands(CLI::App& app, const Globals& g, int& exit_code);
/// Adds `keys create|revoke|list` and `serve` (the web API) to the app.
void add_api_commands(CLI::App& app, const Globals& g, int& exit_code);

}  // namespace jiebang::cli
