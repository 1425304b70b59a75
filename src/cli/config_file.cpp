// The configuration file (TOML via toml++) and its layering under the environment and the flags.
#include "config_file.h"

#include <charconv>
#include <filesystem>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "jiebang/api/api.h"
#include "jiebang/service/service.h"
#include "usage.h"

namespace jiebang::cli {
namespace {

const SettingSpec* find_spec(const std::string& key) {
  for (const auto& s : setting_specs())
    if (key == s.key) return &s;
  return nullptr;
}

const char* type_name(SettingType t) {
  return t == SettingType::kString ? "a string" : t == SettingType::kInteger ? "an integer" : "a boolean (true/false)";
}

/// Checks and normalises a value given as text (environment). Returns the error's reason or "".
std::string check_text(const SettingSpec& spec, std::string& text) {
  if (spec.type == SettingType::kString) return "";
  if (spec.type == SettingType::kBool) {
    if (text == "true" || text == "1" || text == "yes") text = "true";
    else if (text == "false" || text == "0" || text == "no") text = "false";
    else return fmt::format("\"{}\" is not {}", text, type_name(spec.type));
    return "";
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return fmt::format("\"{}\" is not {}", text, type_name(spec.type));
  if (v < spec.min || v > spec.max) return fmt::format("{} is out of range ({} to {})", v, spec.min, spec.max);
  text = std::to_string(v);
  return "";
}

std::vector<std::string> all_keys() {
  std::vector<std::string> keys;
  for (const auto& s : setting_specs()) keys.push_back(s.key);
  return keys;
}

}  // namespace

const std::vector<SettingSpec>& setting_specs() {
  // Defaults come from the configuration structs themselves where they have them.
  static const api::ApiConfig api;
  static const std::string kDataDir = ServiceConfig{}.data_dir, kListen = api.listen,
                           kBody = std::to_string(api.max_body_bytes), kQuery = std::to_string(api.max_query_bytes),
                           kTimeout = std::to_string(api.request_timeout_ms),
                           kQueued = std::to_string(api.max_queued_requests), kThreads = std::to_string(api.io_threads),
                           kReadsPerClient = std::to_string(api.max_reads_per_client),
                           kWritesPerClient = std::to_string(api.max_writes_per_client),
                           kConnections = std::to_string(api.max_connections),
                           kConnectionsPerAddress = std::to_string(api.max_connections_per_address),
                           kImportRecords = std::to_string(api.max_import_records);
  static const DigestSettings digest;
  static const DigestRunOptions digest_run;
  static const std::string kMaxItems = std::to_string(digest.max_items),
                           kPublisherCap = std::to_string(digest.per_publisher_cap),
                           kScenarioCap = std::to_string(digest.per_scenario_cap),
                           kDigestThreads = std::to_string(digest_run.threads),
                           kDigestBatch = std::to_string(digest_run.batch_recipients);
  static const std::vector<SettingSpec> kSpecs = {
      {"data_dir", SettingType::kString, kDataDir.c_str(), 0, 0, "--data-dir", "data directory: the store and the index"},
      {"index_dir", SettingType::kString, "", 0, 0, "--index-dir",
       "index definition (code tables, weights, synonyms); \"\" = share/jiebang/index beside the binary, or the source tree's index/"},
      {"weights", SettingType::kString, "", 0, 0, "--weights", "ranking weights JSON; \"\" = <index_dir>/ranking.json"},
      {"index_threads", SettingType::kInteger, "0", 0, 64, "",
       "threads that build index documents during import and reindex; 0 = one per hardware thread, at most 8"},
      {"jieba_dir", SettingType::kString, "/usr/lib/python3/dist-packages/jieba", 0, 0, "",
       "jieba's dictionary directory (Debian's python3-jieba)"},
      {"serve.listen", SettingType::kString, kListen.c_str(), 0, 0, "", "serve: host:port to listen on"},
      {"serve.max_body_bytes", SettingType::kInteger, kBody.c_str(), 1, int64_t{1} << 32, "",
       "serve: largest request body, unit: bytes; larger gets 413"},
      {"serve.max_query_bytes", SettingType::kInteger, kQuery.c_str(), 64, int64_t{1} << 20, "",
       "serve: longest query string, unit: bytes; longer gets 414"},
      {"serve.request_timeout_ms", SettingType::kInteger, kTimeout.c_str(), 1, 3600 * 1000, "",
       "serve: deadline from headers to the start of the work, unit: ms; later gets 503"},
      {"serve.max_queued", SettingType::kInteger, kQueued.c_str(), 1, int64_t{1} << 20, "",
       "serve: requests waiting for the service; more get 503"},
      {"serve.io_threads", SettingType::kInteger, kThreads.c_str(), 1, 256, "", "serve: network threads of the front and of cpprestsdk, each"},
      {"serve.read_threads", SettingType::kInteger, "0", 0, 64, "",
       "serve: threads that run reads (search, match, pages), each with its own read-only store and index handles; 0 = one per core, at least 2"},
      {"serve.max_reads_per_client", SettingType::kInteger, kReadsPerClient.c_str(), 1, 1 << 20, "",
       "serve: reads (GET, HEAD) one client — an API key, else an address — may have in flight or waiting; one more gets 429"},
      {"serve.max_writes_per_client", SettingType::kInteger, kWritesPerClient.c_str(), 1, 1 << 20, "",
       "serve: writes (POST, PUT, PATCH, consistent searches) one client may have in flight or waiting; one more gets 429"},
      {"serve.max_connections", SettingType::kInteger, kConnections.c_str(), 0, int64_t{1} << 24, "",
       "serve: client connections open at once; one more gets 503; 0 = from the descriptor limit (three a connection)"},
      {"serve.max_connections_per_address", SettingType::kInteger, kConnectionsPerAddress.c_str(), 0, int64_t{1} << 24, "",
       "serve: connections one address may hold open (loopback not counted); one more gets 503; 0 = no bound"},
      {"serve.max_import_records", SettingType::kInteger, kImportRecords.c_str(), 1, int64_t{1} << 30, "",
       "serve: records one import request may hold; more gets 413 (larger lists: `jiebang import`)"},
      {"serve.log_level", SettingType::kString, "info", 0, 0, "",
       "serve: lowest level of the request log on stderr: debug, info, warn, error, off"},
      {"digest.in_serve", SettingType::kBool, "true", 0, 0, "",
       "serve runs the weekly digest itself (false = --no-digest, e.g. with the systemd timer)"},
      {"digest.at", SettingType::kString, "mon 09:00", 0, 0, "", "when serve runs the digest, Asia/Shanghai: weekday HH:MM"},
      {"digest.out", SettingType::kString, "", 0, 0, "", "directory for the digest files; \"\" = <data_dir>/digests/<week>"},
      {"digest.base_url", SettingType::kString, "", 0, 0, "", "links in the digest point here; \"\" = http://localhost:8080"},
      {"digest.max_items", SettingType::kInteger, kMaxItems.c_str(), 1, 1000, "",
       "digest and serve's digest: recommendations per recipient at most"},
      {"digest.per_publisher_cap", SettingType::kInteger, kPublisherCap.c_str(), 1, 1000, "",
       "an enterprise's digest: scenarios from one publisher at most"},
      {"digest.per_scenario_cap", SettingType::kInteger, kScenarioCap.c_str(), 1, 1000, "",
       "a publisher's digest: candidates for one scenario at most"},
      {"digest.threads", SettingType::kInteger, kDigestThreads.c_str(), 0, 64, "",
       "digest worker threads; 0 = one per core, at most 8"},
      {"digest.batch", SettingType::kInteger, kDigestBatch.c_str(), 1, 100000, "",
       "recipients stored per transaction (a killed run redoes at most this many per thread)"},
  };
  return kSpecs;
}

std::string env_name(const std::string& key) {
  std::string out = "JIEBANG_";
  for (char c : key) out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Result<Settings> Settings::load(const std::string& file, const std::string& file_from,
                                const std::function<const char*(const char*)>& getenv) {
  Settings s;
  s.file_ = file;
  s.file_from_ = file_from;
  for (const auto& spec : setting_specs()) s.values_[spec.key] = {spec.default_value, "default"};
  if (!file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
      return Status::not_found(fmt::format("configuration file \"{}\" (from {}) does not exist or is not a file", file, file_from));
    toml::table root;
    try {
      root = toml::parse_file(file);
    } catch (const toml::parse_error& e) {
      return Status::invalid_argument(
          fmt::format("{}:{}:{}: {}", file, e.source().begin.line, e.source().begin.column, e.description()));
    }
    // Walks tables; every leaf must be a known key of the right type.
    std::string error;
    std::function<void(const toml::table&, const std::string&)> walk = [&](const toml::table& t, const std::string& prefix) {
      for (const auto& [k, node] : t) {
        if (!error.empty()) return;
        std::string key = prefix + std::string(k.str());
        auto line = node.source().begin.line ? node.source().begin.line : k.source().begin.line;
        if (node.is_table()) {  // [serve], [digest]: their keys are checked one by one
          walk(*node.as_table(), key + ".");
          continue;
        }
        const SettingSpec* spec = find_spec(key);
        if (!spec) {
          std::string near = closest_match(key, all_keys());
          error = fmt::format("{}:{}: unknown key \"{}\"{}", file, k.source().begin.line, key,
                              near.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", near));
          return;
        }
        std::string text;
        bool ok = false;
        if (spec->type == SettingType::kString && node.is_string()) {
          text = node.as_string()->get();
          ok = true;
        } else if (spec->type == SettingType::kInteger && node.is_integer()) {
          int64_t v = node.as_integer()->get();
          if (v < spec->min || v > spec->max) {
            error = fmt::format("{}:{}: {}: {} is out of range ({} to {})", file, line, key, v, spec->min, spec->max);
            return;
          }
          text = std::to_string(v);
          ok = true;
        } else if (spec->type == SettingType::kBool && node.is_boolean()) {
          text = node.as_boolean()->get() ? "true" : "false";
          ok = true;
        }
        if (!ok) {
          error = fmt::format("{}:{}: {}: must be {}, not a {}", file, line, key, type_name(spec->type),
                              toml::impl::node_type_friendly_names[static_cast<size_t>(node.type())]);
          return;
        }
        s.values_[key] = {text, fmt::format("{}:{}", file, line)};
      }
    };
    walk(root, "");
    if (!error.empty()) return Status::invalid_argument(error);
  }
  for (const auto& spec : setting_specs()) {
    std::string var = env_name(spec.key);
    const char* v = getenv(var.c_str());
    if (!v || !*v) continue;
    std::string text = v;
    if (std::string why = check_text(spec, text); !why.empty())
      return Status::invalid_argument(fmt::format("environment variable {}: {}", var, why));
    s.values_[spec.key] = {text, "env " + var};
  }
  return s;
}

void Settings::set_from_flag(const std::string& key, const std::string& text, const std::string& flag) {
  values_[key] = {text, "flag " + flag};
}

nlohmann::json Settings::to_json() const {
  nlohmann::json settings = nlohmann::json::object();
  for (const auto& spec : setting_specs()) {
    const SettingValue& v = values_.at(spec.key);
    nlohmann::json value = v.text;
    if (spec.type == SettingType::kInteger) value = std::stoll(v.text);
    if (spec.type == SettingType::kBool) value = v.text == "true";
    settings[spec.key] = {{"value", value}, {"source", v.source}, {"env", env_name(spec.key)}};
  }
  return {{"file", file_.empty() ? nlohmann::json(nullptr) : nlohmann::json(file_)},
          {"file_from", file_from_},
          {"settings", settings}};
}

DigestSettings digest_settings(const Settings& s) {
  DigestSettings d;
  d.max_items = static_cast<size_t>(s.integer("digest.max_items"));
  d.per_publisher_cap = static_cast<size_t>(s.integer("digest.per_publisher_cap"));
  d.per_scenario_cap = static_cast<size_t>(s.integer("digest.per_scenario_cap"));
  if (!s.str("digest.base_url").empty()) d.base_url = s.str("digest.base_url");
  return d;
}

DigestRunOptions digest_run_options(const Settings& s) {
  DigestRunOptions r;
  r.threads = static_cast<unsigned>(s.integer("digest.threads"));
  r.batch_recipients = static_cast<size_t>(s.integer("digest.batch"));
  return r;
}

}  // namespace jiebang::cli
