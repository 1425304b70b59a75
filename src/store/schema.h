// Internal: the store's schema migrations, for tests that build a store as an older version left it.
#pragma once

#include <span>

namespace jiebang {

/// The SQL of each migration: entry i takes a store from schema version i (PRAGMA user_version)
/// to i + 1. Store::open runs the ones a file lacks; a test may run a prefix of them to make a
/// store of an older version. Entries are never edited once released.
std::span<const char* const> schema_migrations();

}  // namespace jiebang
