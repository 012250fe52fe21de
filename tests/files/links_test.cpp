// Signed download links: valid until they expire, and no part can be changed without the key.
#include "runtime/files/file_store.hpp"
#include "runtime/files/links.hpp"

#include <catch2/catch.hpp>

#include <regex>

using namespace switchyard;

namespace {

const std::string blob = files::sha256_hex("invoice bytes");
constexpr std::int64_t expires = 1'800'000'000;
constexpr std::int64_t before = expires - 60;

}  // namespace

TEST_CASE("a signed link verifies until it expires", "[files][links]") {
    files::LinkSigner signer("k3y");
    auto signature = signer.sign(blob, "invoice.pdf", expires);
    CHECK(std::regex_match(signature, std::regex("[0-9a-f]{64}")));
    CHECK(signature == signer.sign(blob, "invoice.pdf", expires));  // stateless: the same parts, the same signature
    CHECK(signer.verify(blob, "invoice.pdf", expires, signature, before));
    CHECK(signer.verify(blob, "invoice.pdf", expires, signature, expires - 1));
    CHECK_FALSE(signer.verify(blob, "invoice.pdf", expires, signature, expires));  // expired at its time
    CHECK_FALSE(signer.verify(blob, "invoice.pdf", expires, signature, expires + 3600));
}

TEST_CASE("a link with any part changed does not verify", "[files][links]") {
    files::LinkSigner signer("k3y");
    auto signature = signer.sign(blob, "invoice.pdf", expires);
    CHECK_FALSE(signer.verify(files::sha256_hex("other bytes"), "invoice.pdf", expires, signature, before));
    CHECK_FALSE(signer.verify(blob, "invoice.zip", expires, signature, before));
    CHECK_FALSE(signer.verify(blob, "invoice.pdf", expires + 86400, signature, before));  // a longer life
    auto tampered = signature;
    tampered[10] = tampered[10] == 'a' ? 'b' : 'a';
    CHECK_FALSE(signer.verify(blob, "invoice.pdf", expires, tampered, before));
    CHECK_FALSE(signer.verify(blob, "invoice.pdf", expires, signature.substr(0, 63), before));
    CHECK_FALSE(signer.verify(blob, "invoice.pdf", expires, "", before));
    CHECK_FALSE(files::LinkSigner("another key").verify(blob, "invoice.pdf", expires, signature, before));
}

TEST_CASE("the parts of a link cannot be shifted from one into another", "[files][links]") {
    // Each part is signed with its length: a name ending in digits is not part of the expiry.
    files::LinkSigner signer("k3y");
    CHECK(signer.sign(blob, "a1", 23) != signer.sign(blob, "a", 123));
    CHECK(signer.sign(blob + "x", "", 1) != signer.sign(blob, "x", 1));
}

TEST_CASE("an empty secret is refused, and random secrets are 32 bytes of hex, each new", "[files][links]") {
    CHECK_THROWS_AS(files::LinkSigner(""), std::invalid_argument);
    auto a = files::random_secret(), b = files::random_secret();
    CHECK(std::regex_match(a, std::regex("[0-9a-f]{64}")));
    CHECK(a != b);
}
