"""LLVM set-up and machine code: target machine, optimisation, MCJIT, symbols.

Kept apart from codegen so the IR can be built (and dumped) without
touching the execution engine, and so LLVM is initialised once per process.
No fast-math flags anywhere: results must equal CPython's doubles bit for bit.
"""

from __future__ import annotations

import llvmlite.binding as llvm

from ilo.engines.jit import cache

_initialized = False


def target_machine():
    """A fresh target machine: MCJIT takes ownership of (and frees) the one it is given."""
    global _initialized
    if not _initialized:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        _initialized = True
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(
        cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(),
        opt=3, jit=True)


class NativeCode:
    """A compiled module: function and global addresses; keeps the engine alive."""

    def __init__(self, ir_text: str, symbols: dict[str, int]):
        tm = target_machine()
        for name, address in symbols.items():
            llvm.add_symbol(name, address)
        entry = cache.key(ir_text, llvm.get_host_cpu_name() + llvm.get_host_cpu_features().flatten())
        cached = cache.load(entry)
        mod = llvm.parse_assembly(ir_text)
        mod.triple = llvm.get_process_triple()
        mod.data_layout = str(tm.target_data)
        mod.verify()
        if cached is None:          # a hit skips optimisation and code generation
            pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=3))
            pb.getModulePassManager().run(mod, pb)
        self.optimized_ir = str(mod) if cached is None else "; (machine code from the cache)"
        self.engine = llvm.create_mcjit_compiler(mod, tm)
        self.engine.set_object_cache(lambda _mod, data: cache.store(entry, data),
                                     lambda _mod: cached)
        self.engine.finalize_object()
        self.engine.run_static_constructors()

    def function_address(self, name: str) -> int:
        return self.engine.get_function_address(name)

    def global_address(self, name: str) -> int:
        return self.engine.get_global_value_address(name)
