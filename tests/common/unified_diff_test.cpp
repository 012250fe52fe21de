// common/unified_diff.hpp: what `fmt --diff` prints (tests/cli/fmt_stdin_diff_test.cpp holds it
// to that) and the API's diff of two rulesets' sources, whose sides have names of their own.
#include "common/unified_diff.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;

TEST_CASE("a unified diff has diff -u's headers, hunks and context", "[text][diff]") {
    CHECK(common::unified_diff("a.rules", "same\n", "same\n").empty());
    CHECK(common::unified_diff("a.rules", "1\n2\n3\n4\n5\n", "1\n2\nthree\n4\n5\n") ==
          "--- a.rules\n+++ a.rules\n@@ -1,5 +1,5 @@\n 1\n 2\n-3\n+three\n 4\n 5\n");
    // Changes more than two contexts apart are hunks of their own.
    CHECK(common::unified_diff("a", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "A\nb\nc\nd\ne\nf\ng\nh\ni\nJ\n") ==
          "--- a\n+++ a\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n d\n@@ -7,4 +7,4 @@\n g\n h\n i\n-j\n+J\n");
}

TEST_CASE("each side of a diff may have its own name: an added file is a diff from nothing", "[text][diff]") {
    CHECK(common::unified_diff("v1/x.rules", "v2/x.rules", "old\n", "new\n") == "--- v1/x.rules\n+++ v2/x.rules\n@@ -1 +1 @@\n-old\n+new\n");
    CHECK(common::unified_diff("/dev/null", "v2/y.rules", "", "one\ntwo") ==
          "--- /dev/null\n+++ v2/y.rules\n@@ -0,0 +1,2 @@\n+one\n+two\n\\ No newline at end of file\n");
    CHECK(common::unified_diff("v1/y.rules", "/dev/null", "one\n", "") == "--- v1/y.rules\n+++ /dev/null\n@@ -1 +0,0 @@\n-one\n");
}
