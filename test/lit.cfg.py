# lit configuration for SPINE's file tests. Each test is a .spx/.spi/.test file with RUN: lines at the top.
# Substitutions: %spinec (the compiler), %spine_image (the image tool), %spine_image_sample (writes a sample
# signed image), %stdlib (the bundled stdlib), FileCheck/not/split-file (LLVM 19).
import os
import lit.formats

site = lit_config.params.get("spine_site_config")
if site is None:
    lit_config.fatal("run lit through ctest (or pass --param spine_site_config=<build>/test/lit.site.cfg.py)")
lit_config.load_config(config, site)

config.name = "SPINE"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".spx", ".spi", ".test"]
config.excludes = ["Inputs", "unit", "package", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.spine_obj_root, "test")
# Each mode (below) writes its tests' outputs under a root of its own: ctest runs lit, lit-oracle and lit-interp
# at the same time, and the same test in two modes must not share its Output/ files.
if lit_config.params.get("spine_oracle", "0") not in ("", "0"):
    config.test_exec_root = os.path.join(config.spine_obj_root, "test-oracle")
elif lit_config.params.get("spine_interp"):
    config.test_exec_root = os.path.join(config.spine_obj_root, "test-interp")

# --param spine_oracle=1: every test's spinec runs in the memory-safety oracle's mode (docs/safety.md, ctest's
# lit-oracle); a test that cannot hold there (it checks the elision of checks, or IR) says `UNSUPPORTED: oracle`.
# --param spine_interp=1: the reference interpreter (compiler/interp) stands for the compiler. It takes spinec's
# options (ignoring those of code generation), so `%spinec --run -O2 x.spx` runs x.spx through spx-interp. Tests
# that depend on what it does not model say `UNSUPPORTED: interp`.
spinec = config.spinec
if lit_config.params.get("spine_oracle", "0") not in ("", "0"):
    config.available_features.add("oracle")
    spinec += " --oracle"
if lit_config.params.get("spine_interp"):
    config.available_features.add("interp")
    spinec = config.spx_interp
config.substitutions.append(("%spinec", spinec))
# The longer name first: %spine_image is a prefix of it.
config.substitutions.append(("%spx_interp", config.spx_interp))
config.substitutions.append(("%spine_image_sample", config.spine_image_sample))
config.substitutions.append(("%spine_image", config.spine_image))
config.substitutions.append(("%stdlib", os.path.join(config.spine_src_root, "stdlib")))
config.substitutions.append(("%python", "python3"))
# Generated host stubs are compiled as an application would: C++17, warnings as errors, hostrt's headers and
# the shared header layer (include/spine/).
config.substitutions.append(("%cxx_stubs", "%s -std=c++17 -Wall -Wextra -Werror -pedantic -I%s -I%s"
                             % (config.cxx, config.hostrt_include, config.spine_abi_include)))
config.substitutions.append(("%samples", os.path.join(config.spine_src_root, "samples")))
# The emulated SmartNIC and the bundled real capture (test/Inputs/pcap/README.md).
config.substitutions.append(("%spine_nic", config.spine_nic))
config.substitutions.append(("%spine_ctl", config.spinectl))
config.substitutions.append(("%firewall_host", config.firewall_host))
config.substitutions.append(("%capture", os.path.join(config.spine_src_root, "test", "Inputs", "pcap", "veth-mix.pcap")))
for tool in ["FileCheck", "not", "split-file"]:
    config.substitutions.append((r"(?<![-\w])%s\b" % tool, os.path.join(config.llvm_tools_dir, tool)))
# AddressSanitizer reserves terabytes of address space, so tests that cap it with `ulimit -v` say
# `UNSUPPORTED: asan`.
if config.spine_sanitize.upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("asan")
# Diagnostics must not depend on the terminal.
config.environment["TERM"] = "dumb"

# Images are signed: tests use a development key of their own, made once here, never the user's ~/.spine.
import subprocess
# Made in a private directory that is then renamed into place: two lit runs started together (ctest -j) agree
# on one key pair, since renaming onto an existing directory fails for the later one.
import shutil, tempfile
key_dir = os.path.join(config.spine_obj_root, "test", "devkey")
if not os.path.exists(key_dir):
    os.makedirs(os.path.dirname(key_dir), exist_ok=True)
    tmp = tempfile.mkdtemp(dir=os.path.dirname(key_dir))
    subprocess.run([config.spinec, "--keygen", os.path.join(tmp, "dev")], check=True, stdout=subprocess.DEVNULL)
    try:
        os.rename(tmp, key_dir)
    except OSError:
        shutil.rmtree(tmp)
dev_key = os.path.join(key_dir, "dev.key")
config.environment["SPINE_DEV_KEY"] = dev_key
dev_pub = dev_key[:-len(".key")] + ".pub"
config.substitutions.append(("%dev_pub", dev_pub))
# %beside_healthy --work DIR IMAGE: a hostile image beside the healthy extension on one NIC (docs/safety.md).
config.substitutions.append(("%beside_healthy", "python3 %s --spinec %s --spine-nic %s --trust %s --capture %s --healthy %s"
                             % (os.path.join(config.spine_src_root, "test", "hostile", "Inputs", "beside_healthy.py"),
                                config.spinec, config.spine_nic, dev_pub,
                                os.path.join(config.spine_src_root, "test", "Inputs", "pcap", "veth-mix.pcap"),
                                os.path.join(config.spine_src_root, "test", "hostile", "Inputs", "Healthy.spx"))))
# gdb drives the debugging tests (scripts/install-deps.sh installs it).
import shutil
if shutil.which("gdb"):
    config.available_features.add("gdb")
