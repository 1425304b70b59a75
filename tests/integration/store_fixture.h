// Test fixture base: the index definition's code tables and a real SQLite store in a per-test
// temporary directory (the index tests build their Xapian databases beside it).
#pragma once

#include <memory>

#include <gtest/gtest.h>

#include "jiebang/core/taxonomy.h"
#include "jiebang/store/store.h"
#include "test_util.h"

namespace jiebang::testing {

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto regions = RegionTable::load(index_dir());
    ASSERT_TRUE(regions.is_ok()) << regions.status().to_string();
    regions_ = std::move(*regions);
    auto industries = IndustryTable::load(index_dir());
    ASSERT_TRUE(industries.is_ok()) << industries.status().to_string();
    industries_ = std::move(*industries);
    auto store = Store::open(tmp_.file("jiebang.sqlite3"));
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    store_ = std::move(*store);
  }

  TempDir tmp_;
  RegionTable regions_;
  IndustryTable industries_;
  std::unique_ptr<Store> store_;
};

}  // namespace jiebang::testing
