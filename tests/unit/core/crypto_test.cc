#include "ferry/core/crypto.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace ferry {
namespace {

const std::string kKey = base64_encode(std::string(32, 'k'));

Cipher make_cipher(const std::string& key_base64 = kKey) {
  auto cipher = Cipher::from_base64_key(key_base64);
  EXPECT_TRUE(cipher);
  return *cipher;
}

TEST(Base64, EncodesAndDecodesTheRfc4648Vectors) {
  struct Case {
    std::string_view plain;
    std::string_view encoded;
  };
  for (const Case& c :
       {Case{"", ""}, Case{"f", "Zg=="}, Case{"fo", "Zm8="}, Case{"foo", "Zm9v"},
        Case{"foob", "Zm9vYg=="}, Case{"fooba", "Zm9vYmE="}, Case{"foobar", "Zm9vYmFy"}}) {
    EXPECT_EQ(base64_encode(c.plain), c.encoded) << c.plain;
    auto decoded = base64_decode(c.encoded);
    ASSERT_TRUE(decoded) << c.encoded;
    EXPECT_EQ(*decoded, c.plain);
  }
}

TEST(Base64, DecodesWithoutPaddingAndRoundTripsBinary) {
  EXPECT_EQ(*base64_decode("Zm9vYg"), "foob");
  EXPECT_EQ(*base64_decode("Zm9vYmE"), "fooba");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(*base64_decode(base64_encode(all)), all);
  EXPECT_EQ(*base64url_decode(base64url_encode(all)), all);
}

TEST(Base64, RejectsMalformedInput) {
  for (std::string_view bad : {"Zm9v!", "Zm 9v", "Z", "Zm9vY", "Zg=", "Zm9v=", "Zg===", "-_8"}) {
    auto decoded = base64_decode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code, Errc::invalid_argument) << bad;
  }
  EXPECT_FALSE(base64url_decode("a+b/"));
}

TEST(Base64Url, UsesTheUrlAlphabetWithoutPadding) {
  const std::string bytes("\xfb\xff\xfe", 3);
  EXPECT_EQ(base64_encode(bytes), "+//+");
  EXPECT_EQ(base64url_encode(bytes), "-__-");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(*base64url_decode("-__-"), bytes);
}

TEST(Sha256, MatchesKnownDigestsAndThePkceExample) {
  EXPECT_EQ(hex_encode(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 7636 appendix B: S256 code challenge of the example verifier.
  EXPECT_EQ(base64url_encode(sha256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Hmac, MatchesTheRfcTestVectors) {
  // RFC 4231 test case 2 and RFC 2202 test case 2.
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex_encode(hmac_sha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hmac_sha256("", "data").size(), 32u);
}

TEST(ConstantTimeEquals, ComparesBytesAndLengths) {
  struct Case {
    std::string_view a, b;
    bool equal;
  };
  for (const Case& c :
       {Case{"", "", true}, Case{"secret", "secret", true}, Case{"secret", "secreT", false},
        Case{"secret", "secret2", false}, Case{"secret2", "secret", false}, Case{"", "x", false},
        Case{"x", "", false}, Case{std::string_view("a\0b", 3), "a", false}}) {
    EXPECT_EQ(constant_time_equals(c.a, c.b), c.equal) << c.a << " vs " << c.b;
  }
}

TEST(RandomValues, HaveTheRequestedSizeAndDiffer) {
  EXPECT_EQ(random_bytes(0), "");
  EXPECT_EQ(random_bytes(48).size(), 48u);
  const std::string hex = random_hex(16);
  EXPECT_TRUE(std::regex_match(hex, std::regex("[0-9a-f]{32}"))) << hex;
  EXPECT_NE(random_hex(16), random_hex(16));
}

TEST(UuidV4, HasTheVersion4FormatAndIsUnique) {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = uuid_v4();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(Cipher, SealThenOpenRoundTrips) {
  const Cipher cipher = make_cipher();
  for (std::string_view plain : {std::string_view(""), std::string_view("x"),
                                 std::string_view("{\"access_token\":\"at\"}")}) {
    const std::string sealed = cipher.seal(plain, "row-1");
    EXPECT_EQ(sealed.size(), Cipher::kIvBytes + plain.size() + Cipher::kTagBytes);
    auto opened = cipher.open(sealed, "row-1");
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
}

TEST(Cipher, UsesAFreshIvForEverySeal) {
  const Cipher cipher = make_cipher();
  const std::string a = cipher.seal("same plaintext");
  const std::string b = cipher.seal("same plaintext");
  EXPECT_NE(a.substr(0, Cipher::kIvBytes), b.substr(0, Cipher::kIvBytes));
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find("same plaintext"), std::string::npos);
}

TEST(Cipher, RejectsAnyFlippedBitInIvCiphertextOrTag) {
  const Cipher cipher = make_cipher();
  const std::string sealed = cipher.seal("access token value", "row-1");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x10);
    auto opened = cipher.open(tampered, "row-1");
    ASSERT_FALSE(opened) << "byte " << i;
    EXPECT_EQ(opened.error().code, Errc::storage_corrupt);
  }
}

TEST(Cipher, RejectsAnotherKeyOtherAssociatedDataAndShortInput) {
  const Cipher cipher = make_cipher();
  const Cipher other = make_cipher(base64_encode(std::string(32, 'o')));
  const std::string sealed = cipher.seal("secret", "row-1");
  EXPECT_EQ(other.open(sealed, "row-1").error().code, Errc::storage_corrupt);
  EXPECT_EQ(cipher.open(sealed, "row-2").error().code, Errc::storage_corrupt);
  EXPECT_EQ(cipher.open(sealed).error().code, Errc::storage_corrupt);
  EXPECT_EQ(cipher.open(sealed.substr(0, 27), "row-1").error().code, Errc::storage_corrupt);
}

TEST(Cipher, AcceptsOnlyBase64KeysOfExactly32Bytes) {
  for (const std::string& key :
       {base64_encode(std::string(31, 'k')), base64_encode(std::string(33, 'k')), std::string(""),
        std::string("not*base64")}) {
    auto cipher = Cipher::from_base64_key(key);
    ASSERT_FALSE(cipher) << key;
    EXPECT_EQ(cipher.error().code, Errc::invalid_argument);
    if (!key.empty()) {
      EXPECT_EQ(cipher.error().message.find(key), std::string::npos);
    }
  }
  EXPECT_TRUE(Cipher::from_base64_key(kKey));
}

}  // namespace
}  // namespace ferry
