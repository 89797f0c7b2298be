// The fingerprint table. Each row was checked against the binaries of Debian 12
// packages (sbom-gen/testdata/fetch_debian_packages.sh fetches them for
// debian_fingerprint_test). Keep README.md's table in step with this one.
#include <string_view>

#include "fingerprint.h"

namespace fwseal::sbom {

using namespace std::string_view_literals;

namespace {

constexpr FingerprintRule kRules[] = {
    // "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)": the banner of the
    // multi-call binary. Applet links are symlinks or hard links to it and
    // are never read on their own.
    {"busybox", "application", "busybox|busybox.*|busybox-*", "", "", "BusyBox v",
     R"(BusyBox v(\d+\.\d+\.\d+(?:\.git)?)[ (\x00])", VersionFrom::regex, "a:busybox:busybox",
     "busybox|busybox-*"},
    // libcrypto carries OPENSSL_VERSION_TEXT, "OpenSSL 3.0.22 25 Aug 2026".
    {"openssl", "library", "libcrypto.so|libcrypto.so.*|libcrypto-*.so*|libcrypto.a", "", "", "OpenSSL ",
     R"(OpenSSL (\d+\.\d+\.\d+[a-z]{0,2})(?:-[A-Za-z0-9]+)? +\d{1,2} [A-Z][a-z]{2} \d{4})", VersionFrom::regex,
     "a:openssl:openssl", "openssl|openssl-*|libssl*|libcrypto*|libopenssl*"},
    // libssl has no version text of its own: it belongs to the openssl found beside it.
    {"openssl", "library", "libssl.so|libssl.so.*|libssl-*.so*", "", "", "", "", VersionFrom::none,
     "a:openssl:openssl", "openssl|openssl-*|libssl*|libcrypto*|libopenssl*"},
    // zlib's copyright strings: " deflate 1.2.13 Copyright 1995-2022 Jean-loup Gailly and Mark Adler ".
    {"zlib", "library", "libz.so|libz.so.*|libz.a", "", "", "deflate ", R"(deflate (\d+\.\d+(?:\.\d+){0,2}) Copyright)",
     VersionFrom::regex, "a:zlib:zlib", "zlib|zlib1g|zlib-*|libz|libz1|libzlib"},
    // The SSH identification string, "SSH-2.0-dropbear_2022.83".
    {"dropbear", "application", "dropbear|dbclient|dropbearmulti", "", "", "SSH-2.0-dropbear_",
     R"(SSH-2\.0-dropbear_(\d{4}\.\d+(?:\.\d+)?))", VersionFrom::regex, "a:dropbear_ssh_project:dropbear_ssh",
     "dropbear|dropbear-*"},
    {"dropbear", "application", "dropbearkey|dropbearconvert", "", "", "", "", VersionFrom::none,
     "a:dropbear_ssh_project:dropbear_ssh", "dropbear|dropbear-*"},
    // SSH_RELEASE, "OpenSSH_9.2p1 Debian-2+deb12u10"; the compatibility table
    // ("OpenSSH_7.0*") is skipped by requiring a space or NUL after the version.
    {"openssh", "application", "ssh|sshd|sshd-session|ssh-keyscan", "", "", "OpenSSH_",
     R"(OpenSSH_(\d+\.\d+(?:\.\d+)?(?:p\d+)?)[ \x00])", VersionFrom::regex, "a:openbsd:openssh",
     "openssh|openssh-*|ssh"},
    {"openssh", "application",
     "scp|sftp|sftp-server|ssh-add|ssh-agent|ssh-keygen|ssh-keysign|ssh-pkcs11-helper|ssh-sk-helper", "", "", "",
     "", VersionFrom::none, "a:openbsd:openssh", "openssh|openssh-*|ssh"},
    // LIBCURL_NAME "/" LIBCURL_VERSION, in curl_version()'s output.
    {"libcurl", "library", "libcurl.so|libcurl.so.*|libcurl-*.so*|libcurl.a", "", "", "libcurl/",
     R"(libcurl/(\d+\.\d+\.\d+)(?:-DEV)?[ \x00])", VersionFrom::regex, "a:haxx:libcurl", "libcurl*|curl|!curl"},
    // The tool's default User-Agent, "curl/7.88.1".
    {"curl", "application", "curl", "", "", "curl/", R"(curl/(\d+\.\d+\.\d+)(?:-DEV)?[ \x00])", VersionFrom::regex,
     "a:haxx:curl", "curl|!libcurl*"},
    // PACKAGE_DESC, "lighttpd/1.4.69 (ssl)".
    {"lighttpd", "application", "lighttpd", "", "", "lighttpd/", R"(lighttpd/(\d+\.\d+\.\d+)[ )\x00])",
     VersionFrom::regex, "a:lighttpd:lighttpd", "lighttpd|lighttpd-*"},
    {"lighttpd", "application", "lighttpd-angel|*/lighttpd/mod_*.so", "", "", "", "", VersionFrom::none,
     "a:lighttpd:lighttpd", "lighttpd|lighttpd-*"},
    // The boot banner, "U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000)"
    // or "U-Boot SPL 2023.01 (...)". Only bootloader images and u-boot* files.
    {"u-boot", "firmware", "u-boot|u-boot.*|u-boot-*|u-boot_*", "bootloader|u-boot|uboot", "", "U-Boot ",
     R"(U-Boot (?:SPL |TPL )?(20\d\d\.\d\d(?:-rc\d+)?)[ +~(\x00-])", VersionFrom::regex, "a:denx:u-boot",
     "u-boot|u-boot-*|uboot|uboot-*|!u-boot-tools|!uboot-tools|!u-boot-mkimage|!u-boot-fw-utils"},
    // mkimage and dumpimage print "U-Boot mkimage %s" with PLAIN_VERSION,
    // which is stored as a string of its own: "2023.01".
    {"u-boot-tools", "application", "mkimage|dumpimage", "", "U-Boot mkimage %s", "\0"
     "20"sv, R"(\x00(20\d\d\.\d\d(?:-rc\d+)?)\x00)", VersionFrom::regex, "a:denx:u-boot",
     "u-boot-tools|uboot-tools|u-boot-mkimage|u-boot-fw-utils"},
    {"u-boot-tools", "application", "mkenvimage|kwboot", "", "version %s", "\0"
     "20"sv, R"(\x00(20\d\d\.\d\d(?:-rc\d+)?)\x00)", VersionFrom::regex, "a:denx:u-boot",
     "u-boot-tools|uboot-tools|u-boot-mkimage|u-boot-fw-utils"},
    // linux_banner, "Linux version 6.1.0-56-cloud-amd64 (...) #1 SMP ... Debian 6.1.192-2 (...)",
    // in uncompressed kernels; bzImage kernels carry the same text (without
    // "Linux version ") in the x86 boot header, which the scanner reads too.
    {"linux", "operating-system", "vmlinux|vmlinux-*|vmlinuz|vmlinuz-*|bzImage|bzImage-*|Image|Image-*|zImage|zImage-*",
     "kernel|linux", "", "Linux version ", R"(Linux version (\S+) )", VersionFrom::linux_banner,
     "o:linux:linux_kernel", "linux|linux-image-*|linux-yocto*|kernel|kernel-image-*|kernel-core", 512},
};

}  // namespace

std::span<const FingerprintRule> fingerprint_rules() { return kRules; }

}  // namespace fwseal::sbom
