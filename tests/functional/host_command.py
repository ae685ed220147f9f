"""How the functional test scripts start the emulator.

In a cross build (ci/cross/*.ini) the emulator is built for another
architecture and runs under the cross file's exe_wrapper (qemu-user).  Meson
runs the test scripts themselves natively and hands them that wrapper in
MESON_EXE_WRAPPER; in a native build the variable is unset.
"""
import os
import shlex


def host_command(argv: list[str]) -> list[str]:
    """argv with the build's exe_wrapper, if any, in front."""
    return shlex.split(os.environ.get("MESON_EXE_WRAPPER", "")) + list(argv)
