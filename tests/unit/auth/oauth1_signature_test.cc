// OAuth 1.0a signing against published vectors: RFC 5849 §1.2 and §3.4.1.1, and the
// worked example of X's (Twitter's) "Creating a signature" guide.
#include "ferry/auth/oauth1/signature.h"

#include <gtest/gtest.h>

namespace ferry::auth::oauth1 {
namespace {

// RFC 5849 §3.4.1.1: the request whose signature base string the RFC spells out. Its
// query repeats a3 (once in the body), encodes '=' and a space differently, and has a
// parameter without a value.
TEST(OAuth1Signature, BaseStringOfRfc5849Section3_4_1_1) {
  SignedRequest request{"POST", "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", {}};
  auto body = parse_form("c2&a3=2+q");
  ASSERT_TRUE(body) << body.error().message;
  request.form_parameters = *body;
  const Parameters protocol = {{"realm", "Example"},
                               {"oauth_consumer_key", "9djdj82h48djs9d2"},
                               {"oauth_token", "kkk9d7dh3k39sjv7"},
                               {"oauth_signature_method", "HMAC-SHA1"},
                               {"oauth_timestamp", "137131201"},
                               {"oauth_nonce", "7d8f3e4a"},
                               {"oauth_signature", "bYT5CMsGcbgUdFHObYMEfcx6bsw="}};
  auto base = signature_base_string(request, protocol);
  ASSERT_TRUE(base) << base.error().message;
  EXPECT_EQ(*base,
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%"
            "253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_"
            "nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%"
            "26oauth_token%3Dkkk9d7dh3k39sjv7");
}

// RFC 5849 §1.2: the temporary-credentials request (no token, a callback) and the
// protected-resource request, both HMAC-SHA1, without oauth_version as the RFC's example.
TEST(OAuth1Signature, SignaturesOfRfc5849Section1_2) {
  const Credentials client{"dpf43f3p2l4k3l03", "kd94hf93k423kf44", "", ""};
  auto initiate = signature_base_string(
      {"POST", "https://photos.example.net/initiate", {}},
      {{"oauth_consumer_key", "dpf43f3p2l4k3l03"},
       {"oauth_signature_method", "HMAC-SHA1"},
       {"oauth_timestamp", "137131200"},
       {"oauth_nonce", "wIjqoS"},
       {"oauth_callback", "http://printer.example.com/ready"}});
  ASSERT_TRUE(initiate);
  EXPECT_EQ(sign(SignatureMethod::hmac_sha1, *initiate, client), "74KNZJeDHnMBp0EMJ9ZHt/XKycU=");

  const Credentials token{"dpf43f3p2l4k3l03", "kd94hf93k423kf44", "nnch734d00sl2jdk",
                          "pfkkdhi9sl3r4s00"};
  auto photos = signature_base_string(
      {"GET", "http://photos.example.net/photos?file=vacation.jpg&size=original", {}},
      {{"oauth_consumer_key", "dpf43f3p2l4k3l03"},
       {"oauth_token", "nnch734d00sl2jdk"},
       {"oauth_signature_method", "HMAC-SHA1"},
       {"oauth_timestamp", "137131202"},
       {"oauth_nonce", "chapoH"}});
  ASSERT_TRUE(photos);
  EXPECT_EQ(sign(SignatureMethod::hmac_sha1, *photos, token), "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
}

// X's guide: a POST with a query parameter and a form body holding '+', ',' and '!'; the
// header carries oauth_version=1.0, which is signed.
TEST(OAuth1Signature, HeaderOfXsWorkedExample) {
  SignedRequest request{"POST", "https://api.twitter.com/1.1/statuses/update.json?include_entities=true", {}};
  auto body = parse_form("status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21");
  ASSERT_TRUE(body);
  request.form_parameters = *body;
  const Credentials credentials{"xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                                "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"};
  ProtocolInputs inputs;
  inputs.nonce = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg";
  inputs.timestamp = 1318622958;
  auto header = authorization_header(request, credentials, SignatureMethod::hmac_sha1, inputs);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(*header,
            "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", "
            "oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", "
            "oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", "
            "oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", "
            "oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", "
            "oauth_version=\"1.0\"");

  // The same request under HMAC-SHA256 (value computed independently with Python's hmac).
  auto sha256 = authorization_header(request, credentials, SignatureMethod::hmac_sha256, inputs);
  ASSERT_TRUE(sha256);
  EXPECT_NE(sha256->find("oauth_signature_method=\"HMAC-SHA256\""), std::string::npos);
  auto base = signature_base_string(
      request, {{"oauth_consumer_key", credentials.consumer_key},
                {"oauth_nonce", inputs.nonce},
                {"oauth_signature_method", "HMAC-SHA1"},
                {"oauth_timestamp", "1318622958"},
                {"oauth_token", credentials.token},
                {"oauth_version", "1.0"}});
  ASSERT_TRUE(base);
  EXPECT_EQ(sign(SignatureMethod::hmac_sha256, *base, credentials),
            "Tp6gtfOx2bNZeJ2UUOeg9hvSzdsLa5QJoUwc/LeRFRA=");
}

// PLAINTEXT (RFC 5849 §3.4.4): the encoded secrets joined by '&', themselves encoded in the
// header; nothing of the request enters it.
TEST(OAuth1Signature, PlaintextIsTheEncodedKey) {
  const Credentials credentials{"key", "s&cret one", "tok", "tok secret"};
  EXPECT_EQ(sign(SignatureMethod::plaintext, "ignored", credentials), "s%26cret%20one&tok%20secret");
  ProtocolInputs inputs{"n", 1, {}};
  auto header = authorization_header({"GET", "https://example.com/", {}}, credentials,
                                     SignatureMethod::plaintext, inputs);
  ASSERT_TRUE(header);
  EXPECT_NE(header->find("oauth_signature=\"s%2526cret%2520one%26tok%2520secret\""),
            std::string::npos);
}

TEST(OAuth1Signature, BaseStringUriNormalisesSchemeHostAndPort) {
  EXPECT_EQ(*base_string_uri("HTTP://EXAMPLE.com:80/r%20v/X?id=123#frag"), "http://example.com/r%20v/X");
  EXPECT_EQ(*base_string_uri("https://www.example.net:8080/?q=1"), "https://www.example.net:8080/");
  EXPECT_EQ(*base_string_uri("https://example.net:443"), "https://example.net/");
  EXPECT_FALSE(base_string_uri("/relative/path"));
  EXPECT_FALSE(base_string_uri("ftp://example.net/file"));
  EXPECT_FALSE(base_string_uri("http:?"));
}

TEST(OAuth1Signature, ExtraProtocolParametersAreSignedAndSent) {
  const Credentials credentials{"ck", "cs", "request-token", "request-secret"};
  ProtocolInputs inputs{"abc", 100, {{"oauth_verifier", "v 1"}}};
  auto header = authorization_header({"POST", "https://provider.test/oauth/access_token", {}},
                                     credentials, SignatureMethod::hmac_sha1, inputs);
  ASSERT_TRUE(header);
  EXPECT_NE(header->find("oauth_verifier=\"v%201\""), std::string::npos);
  EXPECT_NE(header->find("oauth_token=\"request-token\""), std::string::npos);
  // Changing the verifier changes the signature: it is part of the base string.
  ProtocolInputs other = inputs;
  other.extra = {{"oauth_verifier", "v 2"}};
  auto changed = authorization_header({"POST", "https://provider.test/oauth/access_token", {}},
                                      credentials, SignatureMethod::hmac_sha1, other);
  ASSERT_TRUE(changed);
  auto signature_of = [](const std::string& h) {
    auto at = h.find("oauth_signature=");
    return h.substr(at, h.find(',', at) - at);
  };
  EXPECT_NE(signature_of(*header), signature_of(*changed));
}

TEST(OAuth1Signature, FormParsingAndMethodNames) {
  auto form = parse_form("a=1&&b=%3D+x&c");
  ASSERT_TRUE(form);
  ASSERT_EQ(form->size(), 3u);
  EXPECT_EQ((*form)[1], (std::pair<std::string, std::string>{"b", "= x"}));
  EXPECT_EQ((*form)[2], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_FALSE(parse_form("a=%zz"));
  EXPECT_EQ(*signature_method_from_name("HMAC-SHA256"), SignatureMethod::hmac_sha256);
  auto rsa = signature_method_from_name("RSA-SHA1");
  ASSERT_FALSE(rsa);
  EXPECT_NE(rsa.error().message.find("HMAC-SHA1, HMAC-SHA256 or PLAINTEXT"), std::string::npos);
  EXPECT_EQ(oauth_nonce().size(), 32u);
  EXPECT_NE(oauth_nonce(), oauth_nonce());
}

}  // namespace
}  // namespace ferry::auth::oauth1
