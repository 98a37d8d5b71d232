using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;

namespace ProxyProtocol.Packaging.Tests.Packages;

/// <summary>A .nupkg or .snupkg opened for reading: its entries and its .nuspec.</summary>
internal sealed class PackageFile : IDisposable
{
    private readonly ZipArchive _zip;

    public PackageFile(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not packed");
        _zip = ZipFile.OpenRead(path);
        ZipArchiveEntry nuspec = Assert.Single(_zip.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using Stream stream = nuspec.Open();
        Metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    public XElement Metadata { get; }

    public IEnumerable<string> Entries => _zip.Entries.Select(e => e.FullName);

    /// <summary>The text of a metadata element such as <c>readme</c>, or <see langword="null"/>.</summary>
    public string? Get(string name) => Metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    public XElement? Element(string name) => Metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public IEnumerable<XElement> Descendants(string name) => Metadata.Descendants().Where(e => e.Name.LocalName == name);

    public byte[] Read(string entry)
    {
        ZipArchiveEntry found = _zip.GetEntry(entry) ?? throw new FileNotFoundException($"no {entry} in the package", entry);
        using Stream stream = found.Open();
        using MemoryStream copy = new();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public string ReadText(string entry) => System.Text.Encoding.UTF8.GetString(Read(entry));

    public void Dispose() => _zip.Dispose();
}
