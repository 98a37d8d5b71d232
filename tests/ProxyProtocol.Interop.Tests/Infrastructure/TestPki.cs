using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ProxyProtocol.Interop.Tests.Infrastructure;

/// <summary>
/// A throwaway PKI made with <see cref="CertificateRequest"/>, once per test run: an RSA CA, an EC P-256 server
/// certificate for localhost/127.0.0.1/::1 and an RSA client certificate with CN=interop-client, both issued by the
/// CA. <see cref="WriteForHaproxy"/> writes them as PEM, so no openssl command is needed.
/// </summary>
internal sealed class TestPki
{
    public const string ClientCommonName = "interop-client";

    /// <summary>HAProxy's <c>cert-key</c> for the server certificate: EC with a 256-bit curve.</summary>
    public const string ServerKeyAlgorithm = "EC256";

    /// <summary>HAProxy's <c>cert-sig</c> for the server certificate: OpenSSL's name for RSA with SHA-256 (the CA signed it).</summary>
    public const string ServerSignatureAlgorithm = "RSA-SHA256";

    private static readonly Lazy<TestPki> s_instance = new(() => new TestPki());

    private readonly string _serverPem;

    private TestPki()
    {
        DateTimeOffset notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        DateTimeOffset notAfter = DateTimeOffset.UtcNow.AddDays(1);

        using RSA caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Interop Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        Ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        // The CA's RSA key signs the EC server key too: through a signature generator, as the key types differ.
        X509SignatureGenerator caSigner = X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1);

        using ECDsa serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        AddLeafExtensions(serverRequest, Ca, "1.3.6.1.5.5.7.3.1");
        using X509Certificate2 server = serverRequest.Create(Ca.SubjectName, caSigner, notBefore, notAfter, RandomSerial());
        _serverPem = server.ExportCertificatePem() + "\n" + serverKey.ExportPkcs8PrivateKeyPem() + "\n";

        using RSA clientKey = RSA.Create(2048);
        var clientRequest = new CertificateRequest($"CN={ClientCommonName}", clientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddLeafExtensions(clientRequest, Ca, "1.3.6.1.5.5.7.3.2");
        using X509Certificate2 client = clientRequest.Create(Ca.SubjectName, caSigner, notBefore, notAfter, RandomSerial());
        using X509Certificate2 clientWithKey = client.CopyWithPrivateKey(clientKey);

        // Through PKCS#12 so that SslStream can use the private key on every platform.
        Client = X509CertificateLoader.LoadPkcs12(clientWithKey.Export(X509ContentType.Pkcs12), null);
    }

    public static TestPki Instance => s_instance.Value;

    public X509Certificate2 Ca { get; }

    /// <summary>The client certificate, with its private key.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>Writes <c>server.pem</c> (certificate then key, what HAProxy's <c>crt</c> reads) and <c>ca.crt</c>.</summary>
    public (string ServerPem, string CaFile) WriteForHaproxy(string directory)
    {
        string serverPem = Path.Combine(directory, "server.pem");
        string caFile = Path.Combine(directory, "ca.crt");
        File.WriteAllText(serverPem, _serverPem);
        File.WriteAllText(caFile, Ca.ExportCertificatePem() + "\n");
        return (serverPem, caFile);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to this CA (the client's check of the server).</summary>
    public bool IsIssuedByCa(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }

    private static void AddLeafExtensions(CertificateRequest request, X509Certificate2 issuer, string extendedKeyUsage)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsage)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
    }

    private static byte[] RandomSerial()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;   // positive
        return serial;
    }
}
