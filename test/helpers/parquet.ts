/**
 * A tiny Parquet writer for tests (hyparquet-writer is not installed): one row group, one uncompressed PLAIN data
 * page per REQUIRED column, metadata in Thrift compact encoding (per the apache/parquet-format specification).
 */
/** Thrift compact protocol writer: just the parts Parquet metadata needs. */
class Compact {
  readonly out: number[] = [];
  private readonly last: number[] = [0];
  byte(b: number): void {
    this.out.push(b & 0xff);
  }
  varint(v: bigint): void {
    let x = v;
    while (x >= 0x80n) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
  }
  zigzag(v: number | bigint): void {
    const x = BigInt(v);
    this.varint(x >= 0n ? x << 1n : ((-x) << 1n) - 1n);
  }
  private header(id: number, type: number): void {
    const delta = id - this.last[this.last.length - 1];
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag(id);
    }
    this.last[this.last.length - 1] = id;
  }
  i32(id: number, v: number): void {
    this.header(id, 5);
    this.zigzag(v);
  }
  i64(id: number, v: number): void {
    this.header(id, 6);
    this.zigzag(v);
  }
  str(id: number, s: string): void {
    this.header(id, 8);
    this.bin(s);
  }
  bin(s: string): void {
    const b = new TextEncoder().encode(s);
    this.varint(BigInt(b.length));
    for (const x of b) this.byte(x);
  }
  struct(id: number, body: () => void): void {
    this.header(id, 12);
    this.inner(body);
  }
  inner(body: () => void): void {
    this.last.push(0);
    body();
    this.byte(0);
    this.last.pop();
  }
  list(id: number, elemType: number, n: number): void {
    this.header(id, 9);
    if (n < 15) this.byte((n << 4) | elemType);
    else {
      this.byte(0xf0 | elemType);
      this.varint(BigInt(n));
    }
  }
}

/** One column: its name, physical type and values. */
export type Column = { name: string; type: 'BYTE_ARRAY'; values: string[] } | { name: string; type: 'INT32' | 'INT64'; values: number[] };
const TYPE = { INT32: 1, INT64: 2, BYTE_ARRAY: 6 } as const;

function plainValues(c: Column): number[] {
  const out: number[] = [];
  const le = (v: bigint, n: number): void => {
    for (let i = 0; i < n; i++) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  };
  if (c.type === 'BYTE_ARRAY') {
    for (const s of c.values) {
      const b = new TextEncoder().encode(s);
      le(BigInt(b.length), 4);
      out.push(...b);
    }
  } else for (const v of c.values) le(BigInt.asUintN(c.type === 'INT32' ? 32 : 64, BigInt(v)), c.type === 'INT32' ? 4 : 8);
  return out;
}

/** The bytes of a Parquet file holding `columns` (all of the same length). */
export function writeParquet(columns: Column[]): Uint8Array {
  const rows = columns[0].values.length;
  const file: number[] = [...new TextEncoder().encode('PAR1')];
  const chunks: { offset: number; size: number; column: Column }[] = [];
  for (const column of columns) {
    const data = plainValues(column);
    const h = new Compact();
    h.inner(() => {
      h.i32(1, 0); // DATA_PAGE
      h.i32(2, data.length);
      h.i32(3, data.length);
      h.struct(5, () => {
        h.i32(1, rows);
        h.i32(2, 0); // PLAIN
        h.i32(3, 3); // RLE definition levels (none: REQUIRED)
        h.i32(4, 3);
      });
    });
    const header = h.out; // the PageHeader struct: its fields and the stop byte
    chunks.push({ offset: file.length, size: header.length + data.length, column });
    file.push(...header, ...data);
  }
  const m = new Compact();
  m.inner(() => {
    m.i32(1, 1);
    m.list(2, 12, columns.length + 1);
    m.inner(() => {
      m.str(4, 'schema');
      m.i32(5, columns.length);
    });
    for (const c of columns) {
      m.inner(() => {
        m.i32(1, TYPE[c.type]);
        m.i32(3, 0); // REQUIRED
        m.str(4, c.name);
        if (c.type === 'BYTE_ARRAY') m.i32(6, 0); // UTF8
      });
    }
    m.i64(3, rows);
    m.list(4, 12, 1);
    m.inner(() => {
      m.list(1, 12, chunks.length);
      for (const ch of chunks) {
        m.inner(() => {
          m.i64(2, ch.offset);
          m.struct(3, () => {
            m.i32(1, TYPE[ch.column.type]);
            m.list(2, 5, 1);
            m.zigzag(0);
            m.list(3, 8, 1);
            m.bin(ch.column.name);
            m.i32(4, 0); // UNCOMPRESSED
            m.i64(5, rows);
            m.i64(6, ch.size);
            m.i64(7, ch.size);
            m.i64(9, ch.offset);
          });
        });
      }
      m.i64(2, chunks.reduce((s, c) => s + c.size, 0));
      m.i64(3, rows);
    });
  });
  const meta = m.out; // the FileMetaData struct
  file.push(...meta, meta.length & 0xff, (meta.length >> 8) & 0xff, (meta.length >> 16) & 0xff, meta.length >>> 24);
  file.push(...new TextEncoder().encode('PAR1'));
  return Uint8Array.from(file);
}
