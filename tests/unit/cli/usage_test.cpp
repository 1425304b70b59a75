// Unit tests of the command line's typo suggestions: edit distance and the closest valid name.
#include <gtest/gtest.h>

#include "cli/usage.h"

namespace jiebang::cli {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndTranspositions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);  // the textbook pair
  EXPECT_EQ(edit_distance("serach", "search"), 1u);   // one transposition, not two substitutions
  EXPECT_EQ(edit_distance("--limt", "--limit"), 1u);
  EXPECT_EQ(edit_distance("status", "status"), 0u);
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);  // restricted: no edit of a transposed pair
}

TEST(ClosestMatch, PicksTheNearestNameWithinTheAllowance) {
  std::vector<std::string> commands = {"import", "search", "match", "matches", "status", "serve", "score-run"};
  EXPECT_EQ(closest_match("serach", commands), "search");
  EXPECT_EQ(closest_match("stats", commands), "status");
  EXPECT_EQ(closest_match("mach", commands), "match");
  EXPECT_EQ(closest_match("matchs", commands), "match");  // tie between match and matches: the first
  EXPECT_EQ(closest_match("frobnicate", commands), "");
  EXPECT_EQ(closest_match("", commands), "");
  // Short names allow one edit only: "xy" is not "serve".
  EXPECT_EQ(closest_match("xy", {"abc"}), "");
  EXPECT_EQ(closest_match("abd", {"abc"}), "abc");
}

TEST(ClosestMatch, TakesAnUnambiguousPrefix) {
  std::vector<std::string> options = {"--scenario", "--enterprise", "--limit", "--json"};
  EXPECT_EQ(closest_match("--ent", options), "--enterprise");
  EXPECT_EQ(closest_match("--", options), "");
  EXPECT_EQ(closest_match("--s", {"--scenario", "--sheet"}), "");  // ambiguous
}

}  // namespace
}  // namespace jiebang::cli
