using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.X3dh;

namespace Enrollment.SelfTest
{
    /// <summary>One operation to time (no generics on the device, so a plain delegate).</summary>
    public delegate void TimedOperation();

    /// <summary>
    /// Per-operation times of the building blocks of an enrollment, each repeated until it has run for at
    /// least <see cref="BudgetTicks"/> so that a fast operation is not lost under the clock's resolution
    /// (DateTime on a device may tick in milliseconds). Prints <c>TIME  name: N.N us (R runs)</c> lines.
    /// </summary>
    /// <remarks>
    /// The field multiplication is the unit of the device cost model (DeviceTimings counts an attempt as
    /// 19,001 field operations); its time here, next to the X25519 and enrollment times, is what turns
    /// that count into seconds on the board at hand. On a 240 MHz ESP32 the whole section takes about four
    /// seconds (each scalar multiplication runs once there, being over the budget on its own).
    /// </remarks>
    internal sealed class Timings
    {
        /// <summary>Keep repeating an operation until it has run this long: 200 ms in 100-ns ticks.</summary>
        public const long BudgetTicks = 2000000;

        /// <summary>Field operations per timed run of the field benchmarks (amortises the call and loop).</summary>
        private const int FieldOpsPerRun = 100;

        private readonly ISelfTestOutput _output;
        private readonly ISelfTestClock _clock;
        private readonly IX3dhPrimitives _p = DefaultX3dhPrimitives.Instance;
        private readonly int[] _f = Field25519.New();
        private readonly int[] _g = Field25519.New();
        private readonly int[] _h = Field25519.New();
        private readonly byte[] _scalar = new byte[32];
        private readonly byte[] _point = new byte[32];
        private readonly byte[] _out32 = new byte[32];
        private readonly byte[] _message = new byte[200];
        private readonly byte[] _random = new byte[64];
        private readonly byte[] _signature = new byte[64];
        private readonly byte[] _publicKey = new byte[32];
        private readonly byte[] _ikm = new byte[160];
        private readonly byte[] _salt = new byte[32];
        private readonly byte[] _okm = new byte[64];
        private readonly byte[] _block = new byte[64];
        private readonly byte[] _nonce = new byte[12];
        private readonly byte[] _sealed = new byte[200 + ChaCha20Poly1305.TagSize];
        private readonly ChaCha20Poly1305 _aead = new ChaCha20Poly1305();
        private readonly HkdfSha256 _hkdf = new HkdfSha256();

        public Timings(ISelfTestOutput output, ISelfTestClock clock)
        {
            _output = output;
            _clock = clock;
            for (int i = 0; i < 32; i++)
            {
                _scalar[i] = (byte)(i + 1);
                _ikm[i] = 0xFF;
            }

            _point[0] = 9;
            Field25519.FromBytes(_f, _scalar, 0);
            Field25519.FromBytes(_g, _scalar, 0);
            _p.PublicKey(_scalar, 0, _publicKey, 0);
            _p.Sign(_scalar, 0, _message, 0, _message.Length, _random, 0, _signature, 0);
        }

        /// <summary>Times every building block, cheapest first.</summary>
        public void RunAll()
        {
            Measure("field multiplication", FieldOpsPerRun, new TimedOperation(FieldMul));
            Measure("field squaring", FieldOpsPerRun, new TimedOperation(FieldSquare));
            Measure("sha256 one 64-byte block", 1, new TimedOperation(Sha256Block));
            Measure("hkdf-sha256 X3DH shape (160-byte IKM, 64 bytes out)", 1, new TimedOperation(Hkdf));
            Measure("aead seal 200 bytes", 1, new TimedOperation(AeadSeal));
            Measure("x25519 public key (fixed base)", 1, new TimedOperation(X25519Base));
            Measure("x25519 shared secret (ladder)", 1, new TimedOperation(X25519Ladder));
            Measure("xeddsa sign 200 bytes", 1, new TimedOperation(XEdDsaSign));
            Measure("xeddsa verify 200 bytes", 1, new TimedOperation(XEdDsaVerify));
        }

        /// <summary>Runs <paramref name="operation"/> until the budget is spent; prints microseconds per unit.</summary>
        public void Measure(string name, int unitsPerRun, TimedOperation operation)
        {
            int runs = 0;
            long t0 = _clock.Ticks;
            long elapsed;
            do
            {
                operation();
                runs++;
                elapsed = _clock.Ticks - t0;
            }
            while (elapsed < BudgetTicks);

            // One tick is 0.1 us, so ticks per unit are tenths of a microsecond.
            long tenths = elapsed / ((long)runs * unitsPerRun);
            _output.Line("TIME  " + name + ": " + (tenths / 10).ToString() + "." + (tenths % 10).ToString() + " us ("
                + runs.ToString() + " runs)");
        }

        private void FieldMul()
        {
            for (int i = 0; i < FieldOpsPerRun; i += 2)
            {
                Field25519.Mul(_h, _f, _g);
                Field25519.Mul(_f, _h, _g);
            }
        }

        private void FieldSquare()
        {
            for (int i = 0; i < FieldOpsPerRun; i += 2)
            {
                Field25519.Square(_h, _f);
                Field25519.Square(_f, _h);
            }
        }

        private void Sha256Block()
        {
            Sha256.Hash(_block, 0, 55, _out32, 0); // 55 bytes + padding = exactly one compression
        }

        private void Hkdf()
        {
            _hkdf.Extract(_salt, 0, _salt.Length, _ikm, 0, _ikm.Length, _out32, 0);
            _hkdf.Expand(_out32, 0, 32, _block, 0, 16, _okm, 0, _okm.Length);
        }

        private void AeadSeal()
        {
            _aead.Encrypt(_okm, 0, _nonce, 0, _block, 0, 16, _message, 0, _message.Length, _sealed, 0);
        }

        private void X25519Base()
        {
            X25519.ScalarMultBase(_scalar, 0, _out32, 0);
        }

        private void X25519Ladder()
        {
            X25519.ScalarMult(_scalar, 0, _publicKey, 0, _out32, 0);
        }

        private void XEdDsaSign()
        {
            _p.Sign(_scalar, 0, _message, 0, _message.Length, _random, 0, _signature, 0);
        }

        private void XEdDsaVerify()
        {
            if (!_p.Verify(_publicKey, 0, _message, 0, _message.Length, _signature, 0))
            {
                throw new System.InvalidOperationException("xeddsa verify failed during timing");
            }
        }
    }
}
