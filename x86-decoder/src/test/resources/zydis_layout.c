/* Prints the layout of the Zydis structures the FFM oracle reads (name=offset:size), so that nothing is hand-counted.
 * Built with gcc and run by dev.dejavm.decoder.oracle.ZydisOracle at first use. */
#include <Zydis/Zydis.h>
#include <stddef.h>
#include <stdio.h>

#define F(type, name, field) printf(name "=%zu:%zu\n", offsetof(type, field), sizeof(((type *)0)->field))
#define S(type, name) printf(name "=0:%zu\n", sizeof(type))

int main(void) {
    S(ZydisDecoder, "decoder");
    S(ZydisDecodedInstruction, "insn");
    S(ZydisDecodedOperand, "operand");
    S(ZydisFormatter, "formatter");
    printf("max_operands=0:%d\n", ZYDIS_MAX_OPERAND_COUNT);
    F(ZydisDecodedInstruction, "insn.mnemonic", mnemonic);
    F(ZydisDecodedInstruction, "insn.length", length);
    F(ZydisDecodedInstruction, "insn.operand_width", operand_width);
    F(ZydisDecodedInstruction, "insn.address_width", address_width);
    F(ZydisDecodedInstruction, "insn.operand_count", operand_count);
    F(ZydisDecodedInstruction, "insn.operand_count_visible", operand_count_visible);
    F(ZydisDecodedInstruction, "insn.attributes", attributes);
    F(ZydisDecodedInstruction, "insn.encoding", encoding);
    F(ZydisDecodedInstruction, "insn.isa_ext", meta.isa_ext);
    F(ZydisDecodedInstruction, "insn.isa_set", meta.isa_set);
    F(ZydisDecodedInstruction, "insn.category", meta.category);
    F(ZydisDecodedOperand, "op.type", type);
    F(ZydisDecodedOperand, "op.visibility", visibility);
    F(ZydisDecodedOperand, "op.size", size);
    F(ZydisDecodedOperand, "op.reg", reg.value);
    F(ZydisDecodedOperand, "op.mem.type", mem.type);
    F(ZydisDecodedOperand, "op.mem.segment", mem.segment);
    F(ZydisDecodedOperand, "op.mem.base", mem.base);
    F(ZydisDecodedOperand, "op.mem.index", mem.index);
    F(ZydisDecodedOperand, "op.mem.scale", mem.scale);
    F(ZydisDecodedOperand, "op.mem.has_disp", mem.disp.has_displacement);
    F(ZydisDecodedOperand, "op.mem.disp", mem.disp.value);
    F(ZydisDecodedOperand, "op.ptr.segment", ptr.segment);
    F(ZydisDecodedOperand, "op.ptr.offset", ptr.offset);
    F(ZydisDecodedOperand, "op.imm.signed", imm.is_signed);
    F(ZydisDecodedOperand, "op.imm.relative", imm.is_relative);
    F(ZydisDecodedOperand, "op.imm.value", imm.value);
    printf("OPERAND_TYPE_REGISTER=0:%d\nOPERAND_TYPE_MEMORY=0:%d\nOPERAND_TYPE_POINTER=0:%d\nOPERAND_TYPE_IMMEDIATE=0:%d\n",
           ZYDIS_OPERAND_TYPE_REGISTER, ZYDIS_OPERAND_TYPE_MEMORY, ZYDIS_OPERAND_TYPE_POINTER, ZYDIS_OPERAND_TYPE_IMMEDIATE);
    printf("VISIBILITY_EXPLICIT=0:%d\nVISIBILITY_IMPLICIT=0:%d\nVISIBILITY_HIDDEN=0:%d\n",
           ZYDIS_OPERAND_VISIBILITY_EXPLICIT, ZYDIS_OPERAND_VISIBILITY_IMPLICIT, ZYDIS_OPERAND_VISIBILITY_HIDDEN);
    printf("MEMOP_MEM=0:%d\nMEMOP_AGEN=0:%d\nMEMOP_MIB=0:%d\nMEMOP_VSIB=0:%d\n", ZYDIS_MEMOP_TYPE_MEM, ZYDIS_MEMOP_TYPE_AGEN,
           ZYDIS_MEMOP_TYPE_MIB, ZYDIS_MEMOP_TYPE_VSIB);
    printf("MODE_LEGACY_16=0:%d\nMODE_LEGACY_32=0:%d\nMODE_LONG_64=0:%d\n", ZYDIS_MACHINE_MODE_LEGACY_16,
           ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_MACHINE_MODE_LONG_64);
    printf("STACK_16=0:%d\nSTACK_32=0:%d\nSTACK_64=0:%d\n", ZYDIS_STACK_WIDTH_16, ZYDIS_STACK_WIDTH_32, ZYDIS_STACK_WIDTH_64);
    printf("DECODER_MODE_MPX=0:%d\nDECODER_MODE_KNC=0:%d\n", ZYDIS_DECODER_MODE_MPX, ZYDIS_DECODER_MODE_KNC);
    printf("STYLE_INTEL=0:%d\n", ZYDIS_FORMATTER_STYLE_INTEL);
    printf("STATUS_NO_MORE_DATA=0:%u\nSTATUS_TOO_LONG=0:%u\n", (unsigned) ZYDIS_STATUS_NO_MORE_DATA,
           (unsigned) ZYDIS_STATUS_INSTRUCTION_TOO_LONG);
    printf("ENCODING_EVEX=0:%d\nENCODING_MVEX=0:%d\nENCODING_XOP=0:%d\nENCODING_3DNOW=0:%d\nENCODING_VEX=0:%d\n",
           ZYDIS_INSTRUCTION_ENCODING_EVEX, ZYDIS_INSTRUCTION_ENCODING_MVEX, ZYDIS_INSTRUCTION_ENCODING_XOP,
           ZYDIS_INSTRUCTION_ENCODING_3DNOW, ZYDIS_INSTRUCTION_ENCODING_VEX);
    return 0;
}
