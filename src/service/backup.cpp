// Backup (online copy of the store + manifest) and restore (checked copy back, index rebuilt) of a data directory.
#include "jiebang/service/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "jiebang/core/calendar.h"
#include "jiebang/store/backup.h"

#ifndef JIEBANG_VERSION
#define JIEBANG_VERSION "unknown"
#endif

namespace jiebang {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kStoreFile = "jiebang.sqlite3";
constexpr const char* kManifestFile = "manifest.json";

/// Size and lower-case hex SHA-256 of a file. Errors: kUnavailable when it cannot be read.
Result<std::pair<int64_t, std::string>> file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::unavailable(fmt::format("{}: cannot read", path));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return Status::internal("SHA-256: OpenSSL could not start a digest");
  std::vector<char> buf(1 << 16);
  int64_t bytes = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    bytes += n;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
  }
  if (in.bad()) return Status::unavailable(fmt::format("{}: read error", path));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md, &len) != 1) return Status::internal("SHA-256: OpenSSL could not finish");
  std::string hex;
  for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return std::pair{bytes, hex};
}

/// fsync of a file or directory, so that a rename after it is durable.
Status sync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::unavailable(fmt::format("{}: cannot open to sync", path));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::unavailable(fmt::format("{}: fsync failed", path));
  return Status::ok();
}

Status write_file_durably(const std::string& path, const std::string& text) {
  std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return Status::unavailable(fmt::format("{}: cannot write", tmp));
  }
  if (Status st = sync_path(tmp); !st) return st;
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::unavailable(fmt::format("{}: cannot rename to {}: {}", tmp, path, ec.message()));
  return Status::ok();
}

/// True when `dir` does not exist or is an empty directory; kInvalidArgument when it is a file.
Result<bool> is_new_or_empty(const std::string& dir) {
  std::error_code ec;
  auto st = fs::status(dir, ec);
  if (!fs::exists(st)) return true;
  if (!fs::is_directory(st)) return Status::invalid_argument(fmt::format("{}: exists and is not a directory", dir));
  return fs::is_empty(dir, ec) && !ec;
}

/// Progress of a page copy as a ProgressFn phase.
CopyProgressFn pages_progress(const ProgressFn& progress, const std::string& phase) {
  if (!progress) return {};
  return [progress, phase](int64_t done, int64_t total) {
    progress(phase, static_cast<size_t>(done), static_cast<size_t>(total));
  };
}

}  // namespace

json BackupManifest::to_json() const {
  return {{"format", "jiebang-backup"},
          {"format_version", format_version},
          {"jiebang_version", jiebang_version},
          {"schema_version", schema_version},
          {"created_at", created_at},
          {"source_data_dir", source_data_dir},
          {"store", {{"file", store_file}, {"bytes", store_bytes}, {"sha256", store_sha256}}},
          {"last_change_seq", last_change_seq},
          {"rows", rows},
          {"seconds", seconds},
          {"index", "not copied: derived from the store, rebuilt by restore"}};
}

Result<BackupManifest> BackupManifest::from_json(const json& j) {
  if (!j.is_object()) return Status::invalid_argument("manifest: not a JSON object");
  if (j.value("format", std::string()) != "jiebang-backup")
    return Status::invalid_field("format", "not \"jiebang-backup\" (not a jiebang backup manifest)");
  BackupManifest m;
  // Each key read on its own, so that an error names it.
  auto get = [](const json& obj, const std::string& key, const std::string& path, auto& out) {
    if (!obj.is_object() || !obj.contains(key)) throw std::invalid_argument(path + key + ": missing");
    try {
      out = obj.at(key).get<std::remove_reference_t<decltype(out)>>();
    } catch (const json::exception&) {
      throw std::invalid_argument(fmt::format("{}{}: wrong type ({})", path, key, obj.at(key).type_name()));
    }
  };
  try {
    get(j, "format_version", "", m.format_version);
    if (m.format_version > kFormatVersion || m.format_version < 1)
      return Status::invalid_argument(fmt::format(
          "format_version: {} is not a format this jiebang reads (1 to {}); restore with a newer jiebang",
          m.format_version, kFormatVersion));
    get(j, "jiebang_version", "", m.jiebang_version);
    get(j, "schema_version", "", m.schema_version);
    get(j, "created_at", "", m.created_at);
    if (j.contains("source_data_dir")) get(j, "source_data_dir", "", m.source_data_dir);
    if (!j.contains("store")) throw std::invalid_argument("store: missing");
    get(j["store"], "file", "store.", m.store_file);
    get(j["store"], "bytes", "store.", m.store_bytes);
    get(j["store"], "sha256", "store.", m.store_sha256);
    get(j, "last_change_seq", "", m.last_change_seq);
    get(j, "rows", "", m.rows);
    if (j.contains("seconds")) get(j, "seconds", "", m.seconds);
  } catch (const std::invalid_argument& e) {
    return Status::invalid_argument(e.what());
  }
  if (m.store_file.empty() || m.store_file.find('/') != std::string::npos || m.store_file.starts_with("."))
    return Status::invalid_field("store.file", fmt::format("\"{}\" is not a plain file name", m.store_file));
  return m;
}

Result<BackupManifest> backup_data_dir(const std::string& data_dir, const std::string& dest_dir,
                                       const ProgressFn& progress) {
  auto start = std::chrono::steady_clock::now();
  const std::string src = (fs::path(data_dir) / kStoreFile).string();
  std::error_code ec;
  if (!fs::is_regular_file(src, ec))
    return Status::not_found(fmt::format("{}: no store here ({} is missing): not a jiebang data directory", data_dir, kStoreFile));
  auto fresh = is_new_or_empty(dest_dir);
  if (!fresh) return fresh.status();
  if (!*fresh)
    return Status::conflict(fmt::format("{}: not empty; a backup goes into a new or empty directory", dest_dir));
  fs::create_directories(dest_dir, ec);
  if (ec) return Status::unavailable(fmt::format("{}: cannot create: {}", dest_dir, ec.message()));
  const std::string dest = (fs::path(dest_dir) / kStoreFile).string();
  const std::string partial = dest + ".partial";
  fs::remove(partial, ec);
  BackupManifest m;
  m.created_at = format_iso_time(std::chrono::system_clock::now());
  auto snapshot = copy_store(src, partial, pages_progress(progress, "backup"));
  if (!snapshot) return snapshot.status();
  auto digest = file_sha256(partial);
  if (!digest) return digest.status();
  if (Status st = sync_path(partial); !st) return st;
  fs::rename(partial, dest, ec);
  if (ec) return Status::unavailable(fmt::format("{}: cannot rename to {}: {}", partial, dest, ec.message()));
  m.jiebang_version = JIEBANG_VERSION;
  m.schema_version = snapshot->schema_version;
  m.source_data_dir = fs::absolute(data_dir, ec).string();
  m.store_bytes = digest->first;
  m.store_sha256 = digest->second;
  m.last_change_seq = snapshot->last_change_seq;
  m.rows = snapshot->rows;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (Status st = write_file_durably((fs::path(dest_dir) / kManifestFile).string(), m.to_json().dump(2) + "\n"); !st)
    return st;
  if (Status st = sync_path(dest_dir); !st) return st;
  return m;
}

Result<RestoreReport> restore_data_dir(const std::string& src_dir, ServiceConfig config, bool force,
                                       const ProgressFn& progress) {
  auto start = std::chrono::steady_clock::now();
  std::error_code ec;
  // The backup: its manifest, then the store file checked against it.
  const std::string manifest_path = (fs::path(src_dir) / kManifestFile).string();
  if (!fs::is_directory(src_dir, ec)) return Status::not_found(fmt::format("{}: no such backup directory", src_dir));
  if (!fs::is_regular_file(manifest_path, ec))
    return Status::not_found(
        fmt::format("{}: missing; {} is not a jiebang backup, or an unfinished one", manifest_path, src_dir));
  json j;
  {
    std::ifstream in(manifest_path, std::ios::binary);
    j = json::parse(in, nullptr, false);
  }
  if (j.is_discarded()) return Status::invalid_argument(fmt::format("{}: not valid JSON (damaged?)", manifest_path));
  auto manifest = BackupManifest::from_json(j);
  if (!manifest) return Status::invalid_argument(fmt::format("{}: {}", manifest_path, manifest.status().message()));
  const std::string src = (fs::path(src_dir) / manifest->store_file).string();
  if (!fs::is_regular_file(src, ec)) return Status::not_found(fmt::format("{}: missing (named by {})", src, manifest_path));
  auto digest = file_sha256(src);
  if (!digest) return digest.status();
  if (digest->first != manifest->store_bytes)
    return Status::invalid_argument(fmt::format("{}: {} bytes, but the manifest says {}: truncated or altered; nothing restored",
                                                src, digest->first, manifest->store_bytes));
  if (digest->second != manifest->store_sha256)
    return Status::invalid_argument(
        fmt::format("{}: SHA-256 {} differs from the manifest's {}: corrupted or altered; nothing restored", src,
                    digest->second, manifest->store_sha256));

  // The target: new or empty, or --force (its store and index replaced).
  const std::string& data_dir = config.data_dir;
  auto fresh = is_new_or_empty(data_dir);
  if (!fresh) return fresh.status();
  if (!*fresh) {
    if (!force)
      return Status::conflict(fmt::format(
          "{}: data directory not empty; restore into a new or empty directory, or add --force to replace its store "
          "and index",
          data_dir));
    // Never replaced under a running server: a process that owns the index (jiebang serve) is in the way.
    if (fs::exists(fs::path(data_dir) / "index", ec)) {
      auto existing = Service::open(config);
      if (existing) {
        auto state = (*existing)->state();
        if (state && !state->index_writable)
          return Status::conflict(fmt::format(
              "{}: in use: another process (jiebang serve?) holds its index; stop it before restoring over it",
              data_dir));
      }
    }
    for (const char* name : {"jiebang.sqlite3", "jiebang.sqlite3-wal", "jiebang.sqlite3-shm", "jiebang.sqlite3-journal"})
      fs::remove(fs::path(data_dir) / name, ec);
    fs::remove_all(fs::path(data_dir) / "index", ec);
    if (ec) return Status::unavailable(fmt::format("{}/index: cannot remove: {}", data_dir, ec.message()));
  }
  fs::create_directories(data_dir, ec);
  if (ec) return Status::unavailable(fmt::format("{}: cannot create: {}", data_dir, ec.message()));
  const std::string dest = (fs::path(data_dir) / kStoreFile).string();
  auto copied = copy_store(src, dest, pages_progress(progress, "restore"));
  if (!copied) return copied.status();
  if (copied->rows != manifest->rows || copied->last_change_seq != manifest->last_change_seq) {
    fs::remove(dest, ec);
    return Status::internal(fmt::format("{}: row counts {} differ from the manifest's {}; nothing restored", src,
                                        json(copied->rows).dump(), json(manifest->rows).dump()));
  }
  // The index is derived: opening the service on the restored store builds it from the change log.
  auto svc = Service::open(config, progress);
  if (!svc) return svc.status();
  auto state = (*svc)->state();
  if (!state) return state.status();
  RestoreReport report;
  report.manifest = std::move(*manifest);
  report.state = *state;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace jiebang
